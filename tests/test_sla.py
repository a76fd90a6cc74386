"""The SLA clock in business hours (issue 15): weekdays, working hours, time zones with their
daylight-saving changes, and public holidays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from docgen.errors import InputError
from docgen.models.policy import BusinessHours
from docgen.sla import SlaClock

AMS = ZoneInfo("Europe/Amsterdam")
HOURS = BusinessHours(timezone="Europe/Amsterdam", days=["mon", "tue", "wed", "thu", "fri"],
                      start="09:00", end="17:30", holidays="NL")


def ams(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)  # type: ignore[misc]


def test_calendar_clock_without_business_hours() -> None:
    clock = SlaClock(None)
    start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert clock.add(start, 48) == start + timedelta(hours=48)
    assert clock.elapsed(start, start + timedelta(hours=50)) == timedelta(hours=50)
    assert clock.describe() == "calendar hours"


def test_friday_evening_request_is_due_the_monday_week() -> None:
    # Friday 17:00: half an hour that day, 5 x 8.5 h the next week, 5 h the Monday after
    clock = SlaClock(HOURS)
    assert clock.add(ams(2026, 11, 20, 17, 0), 48) == ams(2026, 11, 30, 14, 0)


def test_a_weekend_does_not_count() -> None:
    clock = SlaClock(HOURS)
    assert clock.elapsed(ams(2026, 11, 20, 17, 30), ams(2026, 11, 23, 9, 0)) == timedelta(0)
    assert clock.elapsed(ams(2026, 11, 21, 10), ams(2026, 11, 23, 10)) == timedelta(hours=1)


def test_a_request_outside_hours_starts_at_the_next_opening() -> None:
    clock = SlaClock(HOURS)
    assert clock.add(ams(2026, 11, 24, 22, 0), 1) == ams(2026, 11, 25, 10, 0)
    assert clock.add(ams(2026, 11, 24, 6, 0), 1) == ams(2026, 11, 24, 10, 0)


def test_public_holidays_stop_the_clock() -> None:
    # Christmas (Fri 25 Dec 2026) is a public holiday in the Netherlands; 26 Dec is a Saturday
    clock = SlaClock(HOURS)
    assert clock.add(ams(2026, 12, 24, 17, 0), 1) == ams(2026, 12, 28, 9, 30)
    no_holidays = SlaClock(HOURS.model_copy(update={"holidays": None}))
    assert no_holidays.add(ams(2026, 12, 24, 17, 0), 1) == ams(2026, 12, 25, 9, 30)


def test_daylight_saving_change_keeps_local_hours() -> None:
    # summer time starts on Sunday 29 March 2026: Monday opens at 09:00 CEST = 07:00 UTC
    clock = SlaClock(HOURS)
    due = clock.add(ams(2026, 3, 27, 17, 0), 1)
    assert due == ams(2026, 3, 30, 9, 30)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)


def test_elapsed_and_add_agree() -> None:
    clock = SlaClock(HOURS)
    start = ams(2026, 11, 18, 15, 45)
    for hours in (0.5, 8.5, 24, 48, 100):
        assert clock.elapsed(start, clock.add(start, hours)) == timedelta(hours=hours)


def test_other_working_week_and_zone() -> None:
    # a Sunday-to-Thursday week in Dubai
    hours = BusinessHours(timezone="Asia/Dubai", days=["sun", "mon", "tue", "wed", "thu"],
                          start="08:00", end="16:00")
    clock = SlaClock(hours)
    fri = datetime(2026, 11, 27, 12, tzinfo=ZoneInfo("Asia/Dubai"))
    assert clock.add(fri, 2) == datetime(2026, 11, 29, 10, tzinfo=ZoneInfo("Asia/Dubai"))
    assert clock.describe().startswith("business hours: Sun–Thu 08:00–16:00")


def test_unknown_holiday_calendar_is_a_clear_input_error() -> None:
    with pytest.raises(InputError) as err:
        SlaClock(HOURS.model_copy(update={"holidays": "QQ"}))
    (problem,) = err.value.problems
    assert problem.path == "business_hours.holidays" and "QQ" in problem.message
    with pytest.raises(InputError, match="no subdivision"):
        SlaClock(HOURS.model_copy(update={"holidays": "DE-ZZ"}))


@pytest.mark.parametrize(("field", "value", "says"), [
    ("timezone", "Mars/Olympus", "not an IANA time zone"),
    ("start", "9am", None),
    ("end", "08:00", "must be after start"),
    ("days", ["mon", "mon"], "listed twice"),
])
def test_bad_business_hours_are_refused(field: str, value: object, says: str | None) -> None:
    from pydantic import ValidationError

    data = {**HOURS.model_dump(), field: value}
    with pytest.raises(ValidationError) as err:
        BusinessHours.model_validate(data)
    (e,) = err.value.errors()
    assert e["loc"] == ((field,) if field != "end" else ())
    if says:
        assert says in e["msg"]
