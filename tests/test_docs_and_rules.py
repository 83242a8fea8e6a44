"""The README documents every command and setting; lint is clean. (Import rules: test_architecture.py.)"""

import argparse
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


def _commands():
    """(`ted kb teach`, its parser) for every command and every action of a command that has actions."""
    sub = next(a for a in parser()._actions if a.dest == "command")
    for name, p in sub.choices.items():
        yield f"ted {name}", p
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                yield from ((f"ted {name} {action}", q) for action, q in a.choices.items())


def test_readme_documents_every_action_and_option():
    for command, p in _commands():
        assert f"`{command}" in README, f"README does not document `{command}`"
        for opt in (o for a in p._actions for o in a.option_strings if o.startswith("--")):
            if opt not in ("--help", "--db"):  # every command has them; documented once
                assert opt in README, f"README does not document {command} {opt}"


def test_readme_documents_every_environment_variable():
    used = set()
    for path in ROOT.glob("**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        used |= set(re.findall(r"""e\.get\(["']([A-Z][A-Z0-9_]+)["']""", path.read_text("utf-8")))
    assert {"TED_DB", "TED_PORT", "SLACK_BOT_TOKEN"} <= used
    for var in sorted(used):
        assert f"`{var}`" in README, f"README does not document {var}"


def test_ruff_lint_and_format_are_clean():
    import shutil
    import subprocess

    ruff = shutil.which("ruff") or str(Path(__import__("sys").executable).parent / "ruff")
    out = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
    # ... and formatted the one way `ruff format` writes it (applied once, in its own commit).
    out = subprocess.run([ruff, "format", "--check", str(ROOT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
