# Production image: the portal's code with its locked dependencies and built static assets.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN pip install --no-cache-dir uv==0.13.9 && uv sync --frozen --no-dev
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN ./scripts/vendor_assets.sh && DEBUG=false SECRET_KEY=build python manage.py collectstatic --no-input
USER nobody
EXPOSE 8000
CMD ["gunicorn", "exportai.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]
