"""Onboarding tasks (issue 15): the plan's tasks as tasks of a deal, their status, the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from docgen import api
from docgen.errors import InputError
from tests.conftest import act, person_token

ONA = "ona.boarding@brightfield.example"

DEAL = "D-2026-0042"  # contract start Tuesday 2026-12-01


def deal_path(ws_path: Path) -> Path:
    return next((ws_path / "examples" / "deals").glob(f"{DEAL}*.yaml"))


def by_key(tasks: list[Any]) -> dict[str, Any]:
    return {t.key: t for t in tasks}


def test_tasks_follow_the_plan_dated_from_contract_start(ws_path: Path) -> None:
    # given / when
    with api.Session(ws_path) as s:
        found = s.tasks(deal_path(ws_path))
        plan = s.workspace.policy.onboarding_plan
    # then: one task per plan task, due contract start + 7 x week, open, with its owner
    assert [t.title for t in found.tasks] == [p.task for p in plan]
    tasks = by_key(found.tasks)
    intro = tasks["w2-introduction-call-with-onboarding-contact"]
    assert intro.due_on == date(2026, 12, 15) and intro.owner == "support"
    assert intro.status == "open" and intro.touchpoint
    assert tasks["w12-quarterly-business-review"].due_on == date(2027, 2, 23)


def test_recurring_task_starts_on_its_first_weekday(ws_path: Path) -> None:
    # given: "Status email" repeats Mon/Wed/Fri from week 1 (Tuesday 2026-12-08) to week 6
    with api.Session(ws_path) as s:
        found = s.tasks(deal_path(ws_path))
    # when
    mail = by_key(found.tasks)["w1-status-email-to-the-onboarding-contact"]
    # then
    assert mail.repeat == ("mon", "wed", "fri") and mail.until_week == 6
    assert mail.due_on == date(2026, 12, 9)  # the first Wednesday on or after 2026-12-08


def test_task_done_records_who_when_and_note_once(ws_path: Path) -> None:
    # given
    path = deal_path(ws_path)
    at = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    # when: marked done, then done again by someone else
    with api.Session(ws_path) as s:
        first = act(ws_path, "ona.boarding@brightfield.example", "set_task_status", path, "3",
                                  note="Kick-off held", now=at)
        again = act(ws_path, "someone@else.example", "set_task_status", DEAL, first.task.key,
                                  now=datetime(2026, 12, 9, tzinfo=UTC))
        listed = s.tasks(DEAL)
    # then: the first who and when stay
    assert first.changed and not again.changed
    t = by_key(listed.tasks)[first.task.key]
    assert (t.status, t.status_by, t.status_at, t.note) == (
        "done", "ona.boarding@brightfield.example", at, "Kick-off held")


def test_task_skip_needs_a_note_and_reopen_clears_it(ws_path: Path) -> None:
    # given
    path = deal_path(ws_path)
    with api.Session(ws_path, token=person_token(ws_path, ONA)) as s:
        # when / then
        with pytest.raises(InputError):
            s.set_task_status(path, "w12", status="skipped")
        skipped = s.set_task_status(path, "w12", status="skipped", note="Customer declined")
        reopened = s.set_task_status(path, "w12", status="open")
    assert skipped.task.status == "skipped" and skipped.task.note == "Customer declined"
    assert reopened.task.status == "open" and reopened.task.status_by is None


def test_task_reference_must_name_one_task(ws_path: Path) -> None:
    # given
    path = deal_path(ws_path)
    with api.Session(ws_path, token=person_token(ws_path, ONA)) as s:
        # when / then: "w0" starts two keys; 99 is past the end
        for ref in ("w0", "99", "nosuch"):
            with pytest.raises(InputError):
                s.set_task_status(path, ref)


def test_moved_contract_start_moves_due_dates_and_keeps_status(ws_path: Path,
                                                               write_deal: Any) -> None:
    # given: a task done, then the contract start moves a week
    data = yaml.safe_load(deal_path(ws_path).read_text("utf-8"))
    path = write_deal(data, name="deal.yaml")
    act(ws_path, "a@b.example", "set_task_status", path, "w2")
    data["contract"]["start"] = "2026-12-08"
    path = write_deal(data, name="deal.yaml")
    # when
    with api.Session(ws_path) as s:
        tasks = by_key(s.tasks(path).tasks)
    # then
    intro = tasks["w2-introduction-call-with-onboarding-contact"]
    assert intro.due_on == date(2026, 12, 22) and intro.status == "done"


def test_no_contract_start_leaves_tasks_undated_and_no_calendar(ws_path: Path, write_deal: Any,
                                                                tmp_path: Path) -> None:
    # given
    data = yaml.safe_load(deal_path(ws_path).read_text("utf-8"))
    del data["contract"]["start"]
    path = write_deal(data)
    with api.Session(ws_path) as s:
        # when
        found = s.tasks(path)
        # then
        assert all(t.due_on is None for t in found.tasks)
        with pytest.raises(InputError, match="contract start"):
            s.onboarding_calendar(path, out_dir=tmp_path / "out")
    assert not (tmp_path / "out" / f"{DEAL}-onboarding.ics").exists()


def test_calendar_has_one_event_per_task_with_its_recurrence(ws_path: Path,
                                                             tmp_path: Path) -> None:
    # given
    from icalendar import Calendar

    path = deal_path(ws_path)
    with api.Session(ws_path) as s:
        act(ws_path, "sam.seller@brightfield.example", "set_task_status", path, "1")
        # when
        cal = s.onboarding_calendar(path, out_dir=tmp_path, issue_date=date(2026, 11, 22))
        plan = s.workspace.policy.onboarding_plan
    parsed = Calendar.from_ical(cal.path.read_bytes())
    events = list(parsed.walk("VEVENT"))
    # then
    assert cal.events == len(plan) == len(events)
    assert len({str(e["UID"]) for e in events}) == len(events)
    starts = {str(e["SUMMARY"]).split(" (")[0]: e.decoded("DTSTART") for e in events}
    assert starts["Introduction call with onboarding contact"] == date(2026, 12, 15)
    recurring = [e for e in events if "RRULE" in e]
    assert len(recurring) == 1
    rule = recurring[0]["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["MO", "WE", "FR"]
    assert rule["UNTIL"] == [date(2027, 1, 11)]  # the day before week 6 starts
    first = next(e for e in events if "handover" in str(e["SUMMARY"]))
    assert "done by sam.seller@brightfield.example" in str(first["DESCRIPTION"])


def test_calendar_is_the_same_bytes_for_the_same_date(ws_path: Path, tmp_path: Path) -> None:
    # given
    path = deal_path(ws_path)
    # when
    with api.Session(ws_path) as s:
        one = s.onboarding_calendar(path, out_dir=tmp_path / "a", issue_date=date(2026, 11, 22))
        two = s.onboarding_calendar(path, out_dir=tmp_path / "b", issue_date=date(2026, 11, 22))
    # then
    assert one.path.read_bytes() == two.path.read_bytes()


@pytest.mark.parametrize(("task", "message"), [
    ({"week": 1, "owner": "ops", "task": "x", "repeat": ["mon", "mon"]}, "twice"),
    ({"week": 1, "owner": "ops", "task": "x", "until_week": 4}, "repeat"),
    ({"week": 4, "owner": "ops", "task": "x", "repeat": ["fri"], "until_week": 4}, "after"),
    ({"week": 1, "owner": "ops", "task": "x", "repeat": ["someday"]}, "'mon'"),
])
def test_policy_plan_recurrence_is_checked(ws_path: Path, task: dict[str, Any],
                                           message: str) -> None:
    # given: a policy whose plan task has a bad recurrence
    policy = ws_path / "skus" / "policy.yaml"
    data = yaml.safe_load(policy.read_text("utf-8"))
    data["onboarding_plan"] = [task]
    policy.write_text(yaml.safe_dump(data), "utf-8")
    # when / then: one clear problem naming the field
    with pytest.raises(InputError) as err:
        api.Session(ws_path)
    assert any(message in p.message and "onboarding_plan" in str(p) for p in err.value.problems)
