"""Working-hours arithmetic for acknowledgement deadlines.

Deadlines run in the council's working hours (default Monday–Friday 09:00–17:00,
Europe/London, England and Wales bank holidays excluded), so a report filed on Friday at
16:30 with a four-hour deadline is due on Monday at 12:30 — or Tuesday after a bank holiday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share one list of bank holidays; "ENG" is that list in the holidays package.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(9, 0)
    end: time = time(17, 0)
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    tz: str = "Europe/London"

    @classmethod
    def parse(cls, spec: str, tz: str = "Europe/London") -> WorkingHours:
        """"09:00-17:00" -> WorkingHours."""
        a, _, b = spec.partition("-")
        start, end = time.fromisoformat(a.strip()), time.fromisoformat(b.strip())
        if end <= start:
            raise ValueError(f"working hours must end after they start: {spec!r}")
        return cls(start=start, end=end, tz=tz)

    def is_working_day(self, d: date) -> bool:
        return d.weekday() in self.days and d not in _bank_holidays(d.year)

    def is_working_time(self, when: datetime) -> bool:
        local = when.astimezone(ZoneInfo(self.tz))
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def add(self, when: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after `when` (a timezone-aware datetime). Returns UTC."""
        zone = ZoneInfo(self.tz)
        local = when.astimezone(zone)
        remaining = timedelta(hours=hours)
        day = local.date()
        cursor = local
        for _ in range(3660):  # ten years of days: a bound, never reached in practice
            if self.is_working_day(day):
                opens = datetime.combine(day, self.start, zone)
                closes = datetime.combine(day, self.end, zone)
                begin = max(cursor, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(UTC)
                    remaining -= available
            day += timedelta(days=1)
            cursor = datetime.combine(day, time(0, 0), zone)
        raise ValueError("deadline is beyond any working day")
