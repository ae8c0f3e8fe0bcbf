"""The layering contract (pyproject.toml [tool.importlinter]) holds, and would catch an upward import."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), str(config), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_layering_contract_kept_by_the_code():
    result = _lint(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_layering_contract_refuses_a_rule_that_imports_models(tmp_path):
    # A throwaway package shaped like an area, checked against the project's own contracts: the rule
    # module imports a model module, which the pure-rules contract forbids.
    package = tmp_path / "proposals"
    for folder in ("", "core", "intake", "intake/policy"):
        (package / folder).mkdir(parents=True, exist_ok=True)
        (package / folder / "__init__.py").write_text("")
    (package / "intake" / "models.py").write_text("X = 1\n")
    (package / "intake" / "policy" / "rule.py").write_text("from proposals.intake.models import X\n")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    named = {
        m for c in config["contracts"] for key in ("source_modules", "forbidden_modules") for m in c[key]
    }
    for module in named:  # the contracts name these without wildcards, so they must exist
        if module.startswith("proposals.") and "*" not in module:
            path = package.joinpath(*module.split(".")[1:]).with_suffix(".py")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
    lines = ["[importlinter]", "root_package = proposals", "include_external_packages = False"]
    for contract in config["contracts"]:
        lines += [f"[importlinter:contract:{contract['id']}]", f"name = {contract['name']}"]
        lines += [f"type = {contract['type']}", "allow_indirect_imports = False"]
        for key in ("source_modules", "forbidden_modules"):
            internal = [m for m in contract[key] if m.startswith("proposals")]
            lines += [f"{key} =", *(f"    {m}" for m in internal)]
    config_file = tmp_path / ".importlinter"
    config_file.write_text("\n".join(lines) + "\n")

    result = _lint(tmp_path, config_file)

    assert result.returncode == 1, result.stdout
    assert "proposals.intake.policy.rule -> proposals.intake.models" in result.stdout
    shutil.rmtree(package)
