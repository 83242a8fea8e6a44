"""Who hears about a report, following the Social Media Policy and the reporter's choices.

- Content that disparages the council: the reporter's line manager, the service area's service-area manager and
  the Communications Manager (5.12). Abuse: the line manager and the Communications Manager (7.2), HR when the
  reporter asks or someone is at risk (7.3). A missing or departed line manager: the communications team instead.
- Confidential ("keep my name from everyone except the Communications team"): the communications team only (and
  the comms channel), plus HR when the reporter asked for support, someone is at risk or their line is involved.
- People the reporter names as involved never receive it. A named person in the reporter's management line (line
  manager, the service area's service-area manager, head of service) is skipped for the first manager above them
  who isn't named, and HR hears. A named Communications Manager: the rest of the communications team hears.
- "Someone in my management line — I'd rather not say who": HR and the communications team; nobody in the line.
- When anyone who must not see it is on the communications team, the comms channel (which they read) is skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from handlers.directory import Directory, Person
from handlers.reports.form import ABUSE

log = logging.getLogger("ted.reports")

LINE_INVOLVED = "someone in the reporter's management line is involved"
MAX_CHAIN = 12  # a bound on walking up manager_email, far above any council hierarchy


@dataclass
class Route:
    recipients: list[tuple[str, str, str]] = field(default_factory=list)  # (email, role, reason)
    flags: list[str] = field(default_factory=list)
    exclude: set[str] = field(default_factory=set)  # never a recipient: the reporter, the involved, routed around
    involved: list[str] = field(default_factory=list)  # the people the reporter named
    routed_around: list[str] = field(default_factory=list)  # the line, when the reporter would rather not say who
    channel: bool = True  # post in the communications team's channel

    def add(self, person: Person | None, role: str, reason: str) -> None:
        if (
            person
            and person.active
            and person.email not in self.exclude
            and person.email not in {e for e, _, _ in self.recipients}
        ):
            self.recipients.append((person.email, role, reason))

    def has_role(self, *roles: str) -> bool:
        return any(role in roles for _, role, _ in self.recipients)

    @property
    def never(self) -> list[str]:
        """Who must never receive, see or act on the report (stored with it as `excluded`)."""
        return sorted(set(self.involved) | set(self.routed_around))


def chain_above(d: Directory, person: Person) -> list[Person]:
    """Everyone above `person`: their manager, their manager's manager…, then the head of service of their area."""
    out: list[Person] = []
    seen = {person.email}
    email = person.manager_email
    while email and email not in seen and len(out) < MAX_CHAIN:
        boss = d.get(email)
        if boss is None:
            break
        out.append(boss)
        seen.add(boss.email)
        email = boss.manager_email
    if person.service_area and "head_of_service" not in person.roles:
        out += [p for p in d.with_role("head_of_service", person.service_area) if p.email not in seen]
    return out


def management_line(d: Directory, reporter: Person) -> list[Person]:
    """The reporter's management line, bottom up: their managers, then their service area's service-area
    manager and head of service."""
    line = chain_above(d, reporter)
    seen = {p.email for p in line}
    if reporter.service_area:
        for role in ("service_area_manager", "head_of_service"):
            line += [p for p in d.with_role(role, reporter.service_area) if p.email not in seen]
            seen |= {p.email for p in line}
    return line


def first_above(d: Directory, person: Person, exclude: set[str]) -> Person | None:
    """The first manager above `person` who may receive the report (active, not named, not the reporter)."""
    return next((p for p in chain_above(d, person) if p.active and p.email not in exclude), None)


def plan(d: Directory, reporter: Person | None, report: dict) -> Route:
    """Who should hear about `report` (the form's clean values). Pure: reads the directory, writes nothing."""
    r = Route()
    if reporter:
        r.exclude.add(reporter.email)
    r.involved = [e for e in report.get("involved", []) if not reporter or e != reporter.email]
    r.exclude |= set(r.involved)
    line = management_line(d, reporter) if reporter else []
    line_emails = [p.email for p in line]
    hr_reason = ""
    if reporter is None:
        r.flags.append("reporter_not_in_directory")
        if report.get("line_undisclosed"):
            # Someone TED can't place (a new starter not in the directory yet) whose line is involved: their line
            # is unknown, so the managers of the area they chose, who may be it, are routed around; HR hears.
            r.flags.append("line_undisclosed")
            area = report.get("service_area") or ""
            r.routed_around = (
                [p.email for role in ("service_area_manager", "head_of_service") for p in d.with_role(role, area)]
                if area
                else []
            )
            r.exclude |= set(r.routed_around)
            hr_reason = LINE_INVOLVED
    elif report.get("line_undisclosed"):
        r.flags.append("line_undisclosed")
        r.routed_around = line_emails
        r.exclude |= set(line_emails)
        hr_reason = LINE_INVOLVED
    elif any(e in line_emails for e in r.involved):
        r.flags.append("involves_named_line")
        hr_reason = LINE_INVOLVED
    if report.get("confidential"):
        _confidential(d, r, report, hr_reason)
    else:
        _usual(d, r, reporter, report, hr_reason)
    involved_comms = [
        p for p in d.with_role("communications_manager") + d.with_role("communications") if p.email in set(r.never)
    ]
    if involved_comms:
        r.channel = False
        r.flags.append("channel_skipped")
    if not r.recipients:
        r.flags.append("no_recipients")
        log.warning("report has nobody to go to: the directory has no communications team")
    return r


def _hr(d: Directory, r: Route, reason: str) -> None:
    for p in d.with_role("hr"):
        r.add(p, "hr", reason)


def _confidential(d: Directory, r: Route, report: dict, hr_reason: str) -> None:
    r.flags.append("confidential")
    for p in d.with_role("communications_manager"):
        r.add(p, "communications_manager", "the Communications Manager (confidential report)")
    for p in d.with_role("communications"):
        r.add(p, "communications", "the communications team (confidential report)")
    if report["wants_hr"] or report["at_risk"] or hr_reason:
        _hr(
            d,
            r,
            "the reporter asked for HR support"
            if report["wants_hr"]
            else "someone is at risk"
            if report["at_risk"]
            else hr_reason,
        )


def _usual(d: Directory, r: Route, reporter: Person | None, report: dict, hr_reason: str) -> None:
    category = report["category"]
    area = report.get("service_area") or (reporter.service_area if reporter else "")
    if reporter and not report.get("line_undisclosed"):
        manager = d.get(reporter.manager_email) if reporter.manager_email else None
        if manager is None or not manager.active:
            r.flags.append("manager_missing" if manager is None else "manager_left")
        elif manager.email in r.involved:
            _above(d, r, manager, "line_manager", "the reporter's line manager is involved: the next manager up")
        else:
            r.add(manager, "line_manager", "the reporter's line manager")
    if category == "disparaging" and area:
        for p in d.with_role("service_area_manager", area):
            if p.email in r.involved:
                _above(
                    d, r, p, "service_area_manager", f"the {area} service-area manager is involved: the next manager up"
                )
            else:
                r.add(p, "service_area_manager", f"manager of the {area} service area")
    comms_managers = d.with_role("communications_manager")
    for p in comms_managers:
        r.add(p, "communications_manager", "the Communications Manager")
    if report["wants_hr"] or (category in ABUSE and report["at_risk"]) or hr_reason:
        _hr(
            d,
            r,
            "the reporter asked for HR support"
            if report["wants_hr"]
            else "someone is at risk"
            if report["at_risk"] and category in ABUSE
            else hr_reason,
        )
    comms_missing = not any(p.active and p.email not in r.exclude for p in comms_managers)
    if not r.has_role("line_manager", "line_manager_above") or comms_missing:
        # Whoever else is missing or involved, the communications team always hears.
        for p in d.with_role("communications"):
            r.add(p, "communications", "the communications team")


def _above(d: Directory, r: Route, named: Person, role: str, reason: str) -> None:
    boss = first_above(d, named, r.exclude)
    if boss is None:
        if "no_manager_above" not in r.flags:
            r.flags.append("no_manager_above")
        return
    r.add(boss, f"{role}_above", reason)
