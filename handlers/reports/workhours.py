"""Working-hours arithmetic for acknowledgement deadlines.

Deadlines run in the council's working hours (default Monday–Friday 09:00–17:00,
Europe/London, England and Wales bank holidays excluded), so a report filed on Friday at
16:30 with a four-hour deadline is due on Monday at 12:30 — or Tuesday after a bank holiday.
"""

from __future__ import annotations

import math
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
        """ "09:00-17:00" -> WorkingHours."""
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

    def add_days(self, when: datetime, days: float) -> datetime:
        """Close of business on the `days`-th working day after the day of `when` (a part day rounds up).
        Returns UTC: a report filed on Friday with 5 working days is due at 17:00 the Friday after."""
        zone = ZoneInfo(self.tz)
        day = self.add_working_days(when.astimezone(zone).date(), max(1, math.ceil(days)))
        return datetime.combine(day, self.end, zone).astimezone(UTC)

    def add_working_days(self, start: date, n: int) -> date:
        """The `n`-th working day after `start` (n = 0: `start` itself)."""
        day = start
        for _ in range(n):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return day

    def opening(self, when: datetime) -> datetime:
        """When the working day of `when` (its local date) opens, in UTC."""
        zone = ZoneInfo(self.tz)
        return datetime.combine(when.astimezone(zone).date(), self.start, zone).astimezone(UTC)

    def local_date(self, when: datetime) -> date:
        return when.astimezone(ZoneInfo(self.tz)).date()

    def midnight_after(self, d: date) -> datetime:
        """The start of the day after `d`, local time, in UTC (a snooze "until d" ends then)."""
        return datetime.combine(d + timedelta(days=1), time(0, 0), ZoneInfo(self.tz)).astimezone(UTC)

    @property
    def day_hours(self) -> float:
        return (
            datetime.combine(date(2000, 1, 3), self.end) - datetime.combine(date(2000, 1, 3), self.start)
        ).total_seconds() / 3600

    def between(self, a: datetime, b: datetime) -> float:
        """Working hours from `a` to `b` (0 when b is not after a)."""
        if b <= a:
            return 0.0
        zone = ZoneInfo(self.tz)
        la, lb = a.astimezone(zone), b.astimezone(zone)
        total = 0.0
        day = la.date()
        while day <= lb.date():
            if self.is_working_day(day):
                opens, closes = datetime.combine(day, self.start, zone), datetime.combine(day, self.end, zone)
                begin, finish = max(opens, la), min(closes, lb)
                if finish > begin:
                    total += (finish - begin).total_seconds() / 3600
            day += timedelta(days=1)
        return total
