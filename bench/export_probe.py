"""Stream one CSV export in a fresh process and report its rows, time and peak memory (as JSON).

A separate process so that the peak resident size (VmHWM) belongs to the export alone, not to the
seed or the other benchmarks. Usage: python -m bench.export_probe <path> <username>.
"""

import json
import os
import sys
import time


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from accounts.models import User
    from bench.auth import signed_in_client

    path, username = sys.argv[1], sys.argv[2]
    client = signed_in_client(User.objects.get(username=username))
    client.get("/bench/bare/")  # import the URLconf and middleware before the "before" reading
    before_kb = _status_kb("VmRSS")
    start = time.perf_counter()
    response = client.get(path)
    rows = size = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
        rows += chunk.count(b"\n")
    took = time.perf_counter() - start
    print(
        json.dumps(
            {
                "status": response.status_code,
                "streaming": response.streaming,
                "rows": rows - 1,
                "bytes": size,
                "seconds": took,
                "rss_before_mb": before_kb / 1024,
                "peak_rss_mb": _status_kb("VmHWM") / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
