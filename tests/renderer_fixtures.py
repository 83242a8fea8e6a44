"""Sample citations and answers shared by the renderer tests (Slack, Teams, web), and the golden-file check.

Golden files live in tests/golden/; after an intended change, regenerate them with
TED_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_<renderer>.py and review the diff.
"""

import json
import os
from pathlib import Path

from chat import actions
from chat.model import Button, Reply
from knowledge.answer import Citation

GOLDEN = Path(__file__).parent / "golden"
POLICY, VERSION = "Social Media Policy", "Web edition"
C513 = Citation(
    "tdc-social-media-policy",
    "5.13",
    "Adding business contacts on personal accounts",
    "Employees are not permitted to proactively add business contacts made during the course of "
    "employment to personal social media accounts.",
    0.81,
    POLICY,
    VERSION,
    "Personal use",
)
C515 = Citation(
    "tdc-social-media-policy",
    "5.15",
    "LinkedIn as a professional network",
    "Not withstanding the provisions of 5.13, it is recognised that some social media networks are "
    "designed for professional use and networking; in particular, LinkedIn.",
    0.55,
    POLICY,
    VERSION,
)
C56 = Citation(
    "tdc-social-media-policy",
    "5.6",
    "No council logo on personal accounts",
    "The Council logo, or any sub-brands, should not be used on personal accounts.",
    0.5,
    POLICY,
    VERSION,
)
SUMMARY_515 = "LinkedIn is a professional network, so business contacts there are treated differently."
# The answer about 5.15 (see also 5.13) as plain text: what `ted ask` prints and a notification's text says.
# It leads with the plain-English summary (a direct first line), then the clause it rests on.
TEXT_515 = (
    f"In short: {SUMMARY_515}\n\n"
    f"{POLICY}, {VERSION} — 5.15 — LinkedIn as a professional network:\n\n“{C515.text}”\n\n"
    f"See also 5.13 — Adding business contacts on personal accounts: “{C513.text}”"
)


def golden(name: str, got: dict) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(got, ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("TED_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, "utf-8")
    assert path.exists(), f"{path.name} is missing; see the module docstring"
    assert json.loads(path.read_text("utf-8")) == got, f"{path.name} differs; see the module docstring"


def policy_reply(*extra_buttons: Button, **kw) -> Reply:
    """The sample answer about 5.15 every renderer draws: the clause, its summary, see-also 5.13, a "Did you
    mean" chip and the feedback and report buttons (plus any platform-specific ones)."""
    base = dict(
        text="",
        intent="policy",
        citations=(C515, C513),
        summary=SUMMARY_515,
        see_also=(C513,),
        choices=(Button(actions.DID_YOU_MEAN, C56.label, "tdc-social-media-policy|5.6"),),
        buttons=(
            Button(actions.FEEDBACK_UP, "👍 Helpful", "7"),
            Button(actions.FEEDBACK_DOWN, "👎 Not helpful", "7"),
            Button(actions.REPORT_OPEN, "Report this", "can I add a supplier?", "danger"),
            *extra_buttons,
        ),
        link="https://ted.example/policy/tdc-social-media-policy#5.15",
    )
    base.update(kw)
    return Reply(**base)
