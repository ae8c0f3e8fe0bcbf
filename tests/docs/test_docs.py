"""The documentation stays true to the code: the API reference matches the schema, links resolve."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def _api_docs_module():
    spec = importlib.util.spec_from_file_location("api_docs", ROOT / "scripts" / "api_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_docs_match_the_openapi_schema() -> None:
    expected = _api_docs_module().render()
    actual = (ROOT / "docs" / "api.md").read_text()
    assert actual == expected, "docs/api.md is out of date with the OpenAPI schema: run make docs"


def test_docs_link_only_to_files_in_the_repository() -> None:
    broken = []
    for doc in DOCS:
        for target, _ in LINK.findall(doc.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            if not (doc.parent / target).resolve().exists():
                broken.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_docs_name_no_path_outside_the_repository() -> None:
    outside = re.compile(r"/work/|\.\./shared|DESIGN\.md|DOMAIN\.md|STYLE\.md")
    found = [
        f"{doc.relative_to(ROOT)}: {match.group(0)}"
        for doc in DOCS
        for match in outside.finditer(doc.read_text())
    ]
    assert found == []
