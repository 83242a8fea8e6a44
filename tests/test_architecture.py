"""The house rules of ARCHITECTURE.md, enforced by package: who may import whom, where each platform SDK
lives, and no import cycles between modules (a function-local import that hides one still counts)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "core", "chat", "knowledge", "handlers", "bot")

# A package (left) may import only these of TED's own packages, besides itself.
ALLOWED = {
    "core": set(),
    "knowledge": {"core"},
    "chat": {"core", "knowledge"},
    "handlers": {"core", "knowledge", "chat"},
    "bot": {"core", "knowledge", "chat", "handlers"},
    "app": {"core", "knowledge", "chat", "handlers", "bot"},
}
# A third-party SDK may be imported only under its room.
SDK_ROOMS = {
    "slack_bolt": "bot.slack",
    "slack_sdk": "bot.slack",
    "botbuilder": "bot.teams",
    "botframework": "bot.teams",
    "msrest": "bot.teams",
    "msal": "bot.teams",
    "microsoft_agents": "bot.teams",
}
PLATFORM_ROOMS = ("bot.slack", "bot.teams", "bot.web")
NO_HTTP_SERVER = ("core", "knowledge", "chat", "handlers")  # aiohttp stays at the edges


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in PACKAGES or rel.name == "app.py" and len(rel.parts) == 1:
            out[module_name(path)] = path
    return out


def imports_of(name: str, source: str, known: set[str]) -> set[str]:
    """Every module `name` imports, anywhere in the file; `from pkg import mod` counts as pkg.mod."""
    tree = ast.parse(source)
    is_pkg = False
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                here = name.split(".") if is_pkg else name.split(".")[:-1]
                here = here[: len(here) - node.level + 1]
                base = ".".join(here + ([base] if base else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in known else base)
    return out


def graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    known = set(modules)
    return {name: imports_of(name, path.read_text("utf-8"), known) for name, path in modules.items()}


def _top(mod: str) -> str:
    return mod.split(".")[0]


def _in(mod: str, room: str) -> bool:
    return mod == room or mod.startswith(room + ".")


def violations(g: dict[str, set[str]]) -> list[str]:
    out = []
    for mod, deps in sorted(g.items()):
        pkg = _top(mod)
        for dep in sorted(deps):
            top = _top(dep)
            if top in PACKAGES and top != pkg and top not in ALLOWED[pkg]:
                out.append(f"{mod} imports {dep}: {pkg}/ may not import {top}/")
            room = SDK_ROOMS.get(top)
            if room and not _in(mod, room):
                out.append(f"{mod} imports the SDK {dep}, which belongs under {room.replace('.', '/')}/")
            if top == "aiohttp" and pkg in NO_HTTP_SERVER:
                out.append(f"{mod} imports aiohttp: {pkg}/ stays platform- and server-free")
            for a in PLATFORM_ROOMS:
                for b in PLATFORM_ROOMS:
                    if a != b and _in(mod, a) and _in(dep, b):
                        out.append(f"{mod} imports {dep}: the platform rooms never import one another")
    return out


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), over project modules only."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in g:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in g.get(v, ()):
                found.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


def _without_package_inits(g: dict[str, set[str]]) -> dict[str, set[str]]:
    # `import bot.web.app` also runs bot/web/__init__.py; those hold only a docstring, so an edge to a package
    # is no cycle risk. A package __init__ that imported its children would show up as a real edge here.
    return {m: {d for d in deps if d != m} for m, deps in g.items()}


def test_the_import_rules_hold():
    assert violations(graph(project_modules())) == []


def test_no_import_cycles():
    assert cycles(_without_package_inits(graph(project_modules()))) == []


def test_platform_package_inits_do_not_import_their_sdks():
    # The server imports Bolt and botbuilder only when they are configured.
    for room in PLATFORM_ROOMS:
        init = ROOT / room.replace(".", "/") / "__init__.py"
        assert not [n for n in ast.walk(ast.parse(init.read_text())) if isinstance(n, ast.Import | ast.ImportFrom)]


TEAMS_SDKS = ("botbuilder", "botframework", "msrest", "msal", "microsoft_agents")
TEAMS_BINDINGS = ("bot.teams.sdk_botbuilder", "bot.teams.sdk_agents")


def test_only_the_sdk_bindings_import_a_teams_sdk():
    # bot/teams/ is SDK-free but for one module per SDK (bot/teams/binding.py is the seam between them).
    g = graph(project_modules())
    found = sorted(
        mod
        for mod, deps in g.items()
        if _in(mod, "bot.teams") and mod not in TEAMS_BINDINGS and any(_top(dep) in TEAMS_SDKS for dep in deps)
    )
    assert found == []
    assert not any(_top(dep) == "botbuilder" for dep in g["bot.teams.sdk_agents"])
    assert not any(_top(dep) == "microsoft_agents" for dep in g["bot.teams.sdk_botbuilder"])


@pytest.mark.parametrize(
    "env,loaded,absent",
    [
        ({}, [], ["botbuilder", "microsoft_agents"]),
        ({"TEAMS_ALLOW_UNAUTHENTICATED": "1"}, ["botbuilder"], ["microsoft_agents"]),
        ({"TEAMS_ALLOW_UNAUTHENTICATED": "1", "TEAMS_SDK": "agents"}, ["microsoft_agents"], ["botbuilder"]),
    ],
)
def test_the_server_imports_the_teams_sdk_only_when_teams_is_on_and_only_the_one_named(env, loaded, absent):
    code = (
        "import sys\nfrom app import build\nfrom bot.server import make_app\nfrom core.settings import Settings\n"
        "make_app(build(Settings.from_env(), ':memory:'))\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TEAMS_", "SLACK_", "TED_"))}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env, "TED_SEMANTIC": "0"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(m in out for m in loaded) and not any(m in out for m in absent)


def test_the_checker_catches_what_it_should():
    bad = {
        "handlers.ask.chat": {"bot.slack.render"},
        "knowledge.search": {"chat.model"},
        "core.db": {"handlers.directory"},
        "handlers.reports.delivery": {"slack_sdk.errors"},
        "bot.web.app": {"msal", "bot.teams.refs"},
        "chat.model": {"aiohttp"},
    }
    found = violations(bad)
    assert len(found) == 7, found
    loop = {"bot.web.app": {"bot.web.chat"}, "bot.web.chat": {"bot.web.render"}, "bot.web.render": {"bot.web.app"}}
    assert cycles(loop) == [["bot.web.app", "bot.web.chat", "bot.web.render"]]
    src = "def f():\n    from bot.web import chat\n"
    assert imports_of("bot.web.app", src, {"bot.web.chat"}) == {"bot.web.chat"}
