"""The service-level clock of exception approvals (SPEC §2.3 ``business_hours``, §11).

CS answers exceptions within ``warn_hours`` / ``sla_hours``. Without ``business_hours`` in the
policy those are calendar hours. With it they are working hours: only the listed weekdays,
between ``start`` and ``end`` local time in the policy's time zone (daylight saving included),
and never on a public holiday of the named country (the ``holidays`` package). With the sample
policy (Amsterdam, Monday to Friday 09:00–17:30) a request made on Friday at 17:00 with a
48-hour SLA is due on the Monday week at 14:00, not on Sunday.

:class:`SlaClock` answers the two questions the report, the inbox and the reminders ask: how
many service hours lie between two instants (:meth:`SlaClock.elapsed`) and when a number of
service hours after an instant runs out (:meth:`SlaClock.add`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from docgen.errors import InputError, Problem

if TYPE_CHECKING:
    from docgen.models.policy import BusinessHours

__all__ = ["SlaClock"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Working windows looked at before a computation gives up (a policy always has at least one
#: working day a week, so this is ten years of them; it only guards against a calendar whose
#: every day is a holiday).
_MAX_DAYS = 3660


class SlaClock:
    """Counts service hours: calendar hours, or the working hours of ``business_hours``."""

    def __init__(self, hours: BusinessHours | None = None, *,
                 source: str = "skus/policy.yaml") -> None:
        self.hours = hours
        self._tz: Any = None
        self._holidays: Any = None
        if hours is not None:
            from zoneinfo import ZoneInfo

            self._tz = ZoneInfo(hours.timezone)
            self._days = frozenset(_DAYS.index(d) for d in hours.days)
            self._start = _clock_time(hours.start)
            self._end = _clock_time(hours.end)
            if hours.holidays:
                self._holidays = _calendar(hours.holidays, source)

    @property
    def business(self) -> bool:
        """True when the clock counts working hours only."""
        return self.hours is not None

    def describe(self) -> str:
        """One line for a report header: what an SLA hour is."""
        h = self.hours
        if h is None:
            return "calendar hours"
        days = _day_span(h.days)
        hol = f", not on public holidays in {h.holidays}" if h.holidays else ""
        return f"business hours: {days} {h.start}–{h.end} {h.timezone}{hol}"

    # -- the two questions ----------------------------------------------------------------

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Service time between `start` and `end` (zero when `end` is not after `start`)."""
        _aware(start, end)
        if end <= start:
            return timedelta(0)
        if self.hours is None:
            return end - start
        total = timedelta(0)
        for lo, hi in self._windows(start):
            if lo >= end:
                break
            total += min(hi, end) - max(lo, start)
        return total

    def add(self, start: datetime, hours: float) -> datetime:
        """The instant `hours` service hours after `start`."""
        _aware(start)
        left = timedelta(hours=hours)
        if self.hours is None:
            return start + left
        if left <= timedelta(0):
            return start
        for lo, hi in self._windows(start):
            span = hi - max(lo, start)
            if span >= left:
                return max(lo, start) + left
            left -= span
        msg = "no working hours in ten years: check business_hours and its holidays"
        raise InputError([Problem("skus/policy.yaml", None, "business_hours", msg)])

    # -- working windows ------------------------------------------------------------------

    def _windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working windows (UTC) that end after `start`, in order."""
        day = start.astimezone(self._tz).date()
        for _ in range(_MAX_DAYS):
            if day.weekday() in self._days and not self._holiday(day):
                lo = _local(day, self._start, self._tz)
                hi = (_local(day + timedelta(days=1), time(0), self._tz) if self._end is None
                      else _local(day, self._end, self._tz))
                if hi > start:
                    yield lo, hi
            day += timedelta(days=1)

    def _holiday(self, day: date) -> bool:
        return self._holidays is not None and day in self._holidays


def _aware(*instants: datetime) -> None:
    if any(t.tzinfo is None for t in instants):
        msg = "the SLA clock needs timezone-aware instants"
        raise ValueError(msg)


def _clock_time(text: str) -> time | None:
    """``HH:MM`` as a time; ``24:00`` (the end of the day) as None."""
    if text == "24:00":
        return None
    hh, mm = text.split(":")
    return time(int(hh), int(mm))


def _local(day: date, at: time | None, tz: Any) -> datetime:
    """`day` at `at` in `tz`, as UTC (a wall time skipped by a DST change moves forward)."""
    local = datetime.combine(day, at or time(0), tzinfo=tz)
    return local.astimezone(UTC)


def _day_span(days: list[str]) -> str:
    """``Mon–Fri`` for a run of three or more consecutive days (``Sun–Thu`` too), else a list."""
    idx = [_DAYS.index(d) for d in days]
    if len(idx) > 2 and all(b == (a + 1) % 7 for a, b in zip(idx, idx[1:], strict=False)):
        return f"{_DAYS[idx[0]].title()}–{_DAYS[idx[-1]].title()}"
    return ", ".join(_DAYS[i].title() for i in idx)


@lru_cache(maxsize=16)
def _calendar(code: str, source: str) -> Any:
    """The public holidays of a country (``NL``) or subdivision (``DE-BY``)."""
    import holidays

    country, _, subdiv = code.partition("-")
    if country not in holidays.list_supported_countries():
        msg = f"no public holiday calendar for {country!r} (use an ISO 3166 country code)"
    elif subdiv and subdiv not in holidays.list_supported_countries()[country]:
        msg = f"{country} has no subdivision {subdiv!r} with a holiday calendar"
    else:
        return holidays.country_holidays(country, subdiv=subdiv or None)
    raise InputError([Problem(source, None, "business_hours.holidays", msg)])
