"""The README documents every command and setting; platform SDKs stay in their adapters."""

import ast
import re
from pathlib import Path

from app import parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def _subcommands():
    sub = next(a for a in parser()._actions if a.dest == "command")
    return sorted(sub.choices)


def test_readme_quick_start_is_make_run_and_make_test():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick and "make test" in quick


def test_readme_documents_every_command():
    for name in _subcommands():
        assert f"`ted {name}" in README, f"README does not document `ted {name}`"


def test_readme_documents_every_environment_variable():
    used = set()
    for path in ROOT.glob("**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        used |= set(re.findall(r"""e\.get\(["']([A-Z][A-Z0-9_]+)["']""", path.read_text("utf-8")))
    assert {"TED_DB", "TED_PORT", "SLACK_BOT_TOKEN"} <= used
    for var in sorted(used):
        assert f"`{var}`" in README, f"README does not document {var}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_platform_sdks_only_in_their_adapters():
    for path in ROOT.glob("**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        rel = path.relative_to(ROOT)
        mods = _imports(path)
        if mods & {"slack_bolt", "slack_sdk"}:
            assert rel.parts[0] == "bot" and rel.name.startswith("slack"), rel
        if mods & {"botbuilder", "botframework"}:
            assert rel.parts[0] == "bot" and rel.name.startswith("teams"), rel
        if rel.parts[0] in {"knowledge", "handlers", "core"}:
            assert not mods & {"slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp"}, rel


def test_ruff_is_clean():
    import shutil
    import subprocess

    ruff = shutil.which("ruff") or str(Path(__import__("sys").executable).parent / "ruff")
    out = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
