"""axe-core in the page under test: the engine TED's accessibility tests run (WCAG 2.2 AA, the standard the
Public Sector Bodies Accessibility Regulations 2018 point to).

The engine is `axe.min.js` as shipped inside the `axe-playwright-python` wheel (a test dependency in
pyproject.toml), so nothing is fetched at run time. It is evaluated through Playwright (DevTools), not added as
an inline <script>: TED's pages forbid inline scripts (Content-Security-Policy), and the test must not relax that.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no wcag22a rules: 2.2's new A criteria are not automatable).
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


@cache
def engine() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text("utf-8")


def violations(page) -> list[dict]:
    """axe.run over the whole document with TAGS; its violations (empty when the page passes)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(engine())
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
        "['violations']}).then(r => r.violations)",
        list(TAGS),
    )


def describe(found: list[dict]) -> str:
    """Violations as lines a person can act on: rule, impact, help, and each element with axe's reason."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"]:
            why = "; ".join(c["message"] for kind in ("any", "all", "none") for c in node.get(kind, []))
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if why:
                lines.append(f"      {why[:300]}")
    return "\n".join(lines)


def assert_no_violations(page, where: str) -> None:
    found = violations(page)
    assert not found, f"axe found {len(found)} WCAG 2.2 AA violation(s) on {where}:\n{describe(found)}"
