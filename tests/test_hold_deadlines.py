"""No item stalls unseen in a waiting state: the deadlines of holds and returned dossiers in the
shipped flows — on SQLite and, with AWARD_TEST_PG, on PostgreSQL.

A hold for verification runs its own 30-working-day clock (escalated at 100% and 150%) while the
clock of the state it paused keeps what it had left; a returned dossier has 10 working days
(5 on the ad-hoc fast track), a reminder at half, an escalation at the due date and expiry only
5 working days after it. Dates: Mon 2 March 2026 has no holiday near it; Tết 2027 takes Thu 4 –
Wed 10 February 2027 (Sat 6 and Sun 7 fall in it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, Cli
from workflow.calendar import load_calendar
from workflow.definitions import load_definitions
from workflow.flow import FlowSpec, StateSpec
from workflow.service.lifecycle.timed import step_days, step_due

CSTDCS = "chien-si-thi-dua-co-so"
ADHOC = "khen-thuong-dot-xuat"
DAY1 = "2026-03-02T09:00:00+07:00"  # a Monday
VN = load_calendar(ROOT / "definitions" / "calendars" / "vn.yaml")
FLOWS: dict[str, FlowSpec] = load_definitions(ROOT / "definitions").flows


def later(instant: str, seconds: int) -> str:
    return (datetime.fromisoformat(instant) + timedelta(seconds=seconds)).isoformat()


def cstdcs(cli: Cli, dossier: Path, now: str = DAY1) -> str:
    item = str(cli.ok("nominate", CSTDCS, "--unit", "BN-SGD", "--nominee", "Nguyễn Văn An",
                      "--person", "an", "--set", "year=2026", "--set", "rating=HTXS",
                      user="lan", now=now)["id"])
    for doctype in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doctype, str(dossier), user="lan", now=now)
    cli.ok("fire", item, "submit", user="lan", now=now)
    return item


def sweep(cli: Cli, now: str) -> dict[str, int]:
    counts: dict[str, int] = cli.ok("escalate", now=now)
    return counts


def messages(cli: Cli, item: str, kind: str) -> list[tuple[str, str]]:
    """(recipient, kind) of the item's outbox messages of ``kind``, in order."""
    return [(m["recipient"], m["kind"])
            for m in cli.ok("outbox", "--nomination", item, "--kind", kind)]


def overdue_ids(cli: Cli, now: str) -> list[str]:
    return [r["id"] for r in cli.ok("list", "--overdue", now=now)]


# ---- the shipped definitions -----------------------------------------------------------------


def _hold(flow: FlowSpec) -> StateSpec:
    assert flow.hold_state is not None, f"{flow.id} has no hold state"
    return flow.states[flow.hold_state]


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_every_shipped_hold_has_a_deadline_and_a_ladder(flow_id: str) -> None:
    hold = _hold(FLOWS[flow_id])
    assert hold.sla is not None and (hold.sla.amount, hold.sla.working) == (30, True)
    assert [(s.percent, s.fire) for s in hold.escalate] == [(100, None), (150, None)]
    assert all(s.notify for s in hold.escalate)
    # the level's head is told at 150%, who is not the secretariat told at 100%
    assert {r.role for r in hold.escalate[0].notify} == {"secretariat"}
    assert not {r.role for r in hold.escalate[1].notify} & {"secretariat"}


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_every_shipped_return_reminds_escalates_then_expires_five_days_late(
        flow_id: str) -> None:
    flow = FLOWS[flow_id]
    returned = flow.states["returned"]
    fast = flow.ad_hoc  # the ad-hoc fast track: half the supplement period
    assert returned.sla is not None and returned.sla.working
    assert returned.sla.amount == (5 if fast else 10)
    steps = [(s.percent, [str(r) for r in s.notify], s.fire) for s in returned.escalate]
    assert steps[0] == (50, ["officer@unit"], None)
    assert steps[1][0] == 100 and "unit_head@unit" in steps[1][1] and steps[1][2] is None
    assert steps[2] == ((200 if fast else 150), [], "expire")
    assert step_days(returned.sla, returned.escalate[2]) == returned.sla.amount + 5


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
       st.sampled_from(sorted(FLOWS)))
def test_expiry_is_five_working_days_after_the_due_date(moment: datetime, flow_id: str
                                                       ) -> None:
    # any instant of 2026–2028 (Tết and every holiday on the way): the reminder falls before
    # the due date, the escalation on it, and expiry exactly 5 working days after it
    entered = moment.replace(tzinfo=UTC)
    returned = FLOWS[flow_id].states["returned"]
    assert returned.sla is not None
    due = VN.due(entered, returned.sla.amount, working=True)
    remind, escalate, expire = (step_due(VN, entered, returned.sla, s) for s in returned.escalate)
    assert remind < due == escalate < expire
    assert VN.local_date(expire) == VN.add_working_days(VN.local_date(due), 5)
    assert VN.working_days_between(VN.local_date(due), VN.local_date(expire)) == 5


# ---- a held item -------------------------------------------------------------------------------

HELD_AT = "2026-03-04T09:00:00+07:00"  # Wed: the dossier check (due Mon 9 March) has 3 WD left
HOLD_DUE = "2026-04-15T23:59:59+07:00"  # + 30 working days
HOLD_150 = "2026-05-11T23:59:59+07:00"  # + 45 working days (27 and 30 April, 1 May are off)
RESUMED_AT = "2026-05-12T10:00:00+07:00"


def test_a_held_item_escalates_at_100_and_150_once_each_and_resumes_its_time(
        cli: Cli, dossier: Path) -> None:
    item = cstdcs(cli, dossier)
    held = cli.ok("object", item, "--text", "Cần xác minh sáng kiến", user="lan", now=HELD_AT)
    assert held["held"] is True
    shown = cli.ok("show", item, now=HELD_AT)
    assert (shown["state"], shown["due_at"]) == ("on_hold", HOLD_DUE)
    assert shown["hold"]["sla_remaining"] == 3  # the dossier check's clock, stopped
    assert datetime.fromisoformat(HOLD_DUE) == VN.due(datetime.fromisoformat(HELD_AT), 30,
                                                      working=True)

    # the dossier check's own steps (80% on Fri 6 March) do not run while held
    assert sweep(cli, "2026-03-10T09:00:00+07:00")["claimed"] == 0
    # the comment's own handling deadline (10 WD, due Wed 18 March) runs on timers of its own:
    # a reminder at 80%, escalations at 100% and 150% (Wed 25 March), none about the hold
    own = sweep(cli, "2026-03-26T09:00:00+07:00")
    assert own["claimed"] == 3
    about_objection = {"escalation": messages(cli, item, "escalation"),
                       "reminder": messages(cli, item, "reminder")}
    just_before = later(HOLD_DUE, -1)
    assert sweep(cli, just_before)["claimed"] == 0  # due at the end of the day, not before
    # listed overdue already: the comment itself is past its handling deadline (18 March)
    assert item in overdue_ids(cli, just_before)
    assert cli.ok("show", item, now=just_before)["overdue"] is False  # the hold is not

    after_due = later(HOLD_DUE, 1)
    first = sweep(cli, after_due)
    assert (first["escalated"], first["reminded"], first["messages"]) == (1, 0, 1)
    assert sweep(cli, later(after_due, 3600))["claimed"] == 0  # exactly once
    skip = len(about_objection["escalation"])
    assert messages(cli, item, "escalation")[skip:] == [("thu", "escalation")]  # secretariat
    # overdue while held: in the list and in the day's digest
    assert overdue_ids(cli, after_due) == [item]
    listed = cli.ok("list", "--overdue", now=after_due)[0]
    assert listed["state"] == "on_hold"
    digest = cli.ok("digest", now=after_due)
    assert digest["overdue"] == 1 and digest["messages"] >= 1
    digests = cli.ok("outbox", "--kind", "digest")
    assert digests and all(f"- {item} " in d["body"] for d in digests)

    assert sweep(cli, later(HOLD_150, -1))["claimed"] == 0
    second = sweep(cli, later(HOLD_150, 1))
    assert (second["escalated"], second["messages"]) == (1, 1)
    assert sweep(cli, later(HOLD_150, 7200))["claimed"] == 0
    assert messages(cli, item, "escalation")[skip:] == [("thu", "escalation"),
                                                        ("minh", "escalation")]  # unit_head
    audit = [h for h in cli.ok("audit", "log", item)
             if h["action"] == "escalated" and "objection" not in h["payload"]]
    assert [(h["payload"]["after"], h["payload"]["recipients"]) for h in audit] == [
        ("100%", ["thu"]), ("150%", ["minh"])]

    # dismissed: back to the dossier check with the 3 working days it had left
    cli.ok("resolve", held["id"], "dismissed", "--comment", "Đã xác minh", user="thu",
           now=RESUMED_AT)
    shown = cli.ok("show", item, now=RESUMED_AT)
    assert (shown["state"], shown["due_at"]) == ("submitted", "2026-05-15T23:59:59+07:00")
    assert item not in overdue_ids(cli, RESUMED_AT)
    assert sweep(cli, RESUMED_AT)["claimed"] == 0  # the hold's timers went with it
    # its 80% step had 2 WD left (Fri 6 March from Wed 4): now Thu 14 May
    assert sweep(cli, "2026-05-14T23:59:58+07:00")["claimed"] == 0
    resumed = sweep(cli, "2026-05-15T00:00:01+07:00")
    assert (resumed["reminded"], resumed["escalated"]) == (1, 0)
    assert ("thu", "reminder") in messages(cli, item, "reminder")
    assert item in overdue_ids(cli, "2026-05-16T00:00:00+07:00")


def test_a_second_objection_does_not_restart_the_hold_clock(cli: Cli, dossier: Path) -> None:
    item = cstdcs(cli, dossier)
    cli.ok("object", item, "--text", "Lần một", user="lan", now=HELD_AT)
    sweep(cli, "2026-03-31T09:00:00+07:00")  # the first comment's own 10-WD steps
    again = cli.ok("object", item, "--text", "Lần hai", user="lan", now="2026-04-01T09:00:00+07:00")
    assert again["held"] is False
    assert cli.ok("show", item)["due_at"] == HOLD_DUE
    # at the hold's due: the hold's 100% step, and the second comment's own 80% reminder (Mon
    # 13 April) and 100% escalation (Wed 15 April, its 10th working day)
    at_due = sweep(cli, later(HOLD_DUE, 1))
    assert (at_due["escalated"], at_due["reminded"]) == (2, 1)
    hold_steps = [h for h in cli.ok("audit", "log", item)
                  if h["action"] == "escalated" and "objection" not in h["payload"]]
    assert [h["payload"]["after"] for h in hold_steps] == ["100%"]


# ---- a returned dossier ------------------------------------------------------------------------


def test_a_returned_dossier_is_reminded_escalated_and_expires_only_at_150(
        cli: Cli, dossier: Path) -> None:
    item = cstdcs(cli, dossier)
    returned = cli.ok("fire", item, "return", "--comment", "Bổ sung báo cáo", user="thu",
                      now=DAY1)
    assert returned["due_at"] == "2026-03-16T23:59:59+07:00"  # 10 WD from Mon 2 March
    # 50% = 5 WD: Mon 9 March
    assert sweep(cli, "2026-03-09T23:59:58+07:00")["claimed"] == 0
    half = sweep(cli, "2026-03-10T00:00:01+07:00")
    assert (half["reminded"], half["escalated"], half["fired"]) == (1, 0, 0)
    assert messages(cli, item, "reminder") == [("lan", "reminder")]
    # 100%: the nominating unit's head
    assert sweep(cli, "2026-03-16T23:59:58+07:00")["claimed"] == 0
    assert item not in overdue_ids(cli, "2026-03-16T23:59:58+07:00")
    due = sweep(cli, "2026-03-17T00:00:01+07:00")
    assert (due["reminded"], due["escalated"], due["fired"]) == (0, 1, 0)
    assert messages(cli, item, "escalation") == [("minh", "escalation")]
    assert overdue_ids(cli, "2026-03-17T00:00:01+07:00") == [item]
    # 150% = 15 WD: not before the end of Mon 23 March
    for instant in ("2026-03-18T09:00:00+07:00", "2026-03-20T17:00:00+07:00",
                    "2026-03-23T23:59:58+07:00"):
        assert sweep(cli, instant)["claimed"] == 0
        assert cli.ok("show", item, now=instant)["state"] == "returned"
    late = sweep(cli, "2026-03-24T00:00:01+07:00")
    assert (late["fired"], late["reminded"], late["escalated"]) == (1, 0, 0)
    shown = cli.ok("show", item)
    assert (shown["state"], shown["outcome"]) == ("expired", "withdrawn")
    assert len(messages(cli, item, "reminder")) == 1 and len(messages(cli, item, "escalation")) == 1


def test_the_fast_track_return_expires_five_working_days_after_its_five(
        cli: Cli, dossier: Path) -> None:
    item = str(cli.ok("nominate", ADHOC, "--unit", "BN-THPT-LTT", "--nominee", "Đặng Thị Yến",
                      "--person", "yen", "--set", "deed=Cứu người đuối nước",
                      "--set", "deed_date=2026-02-27", user="mai", now=DAY1)["id"])
    for doctype in ("to_trinh", "bao_cao", "xac_nhan"):
        cli.ok("attach", item, doctype, str(dossier), user="mai", now=DAY1)
    cli.ok("fire", item, "submit", user="mai", now=DAY1)
    returned = cli.ok("fire", item, "return", "--comment", "Bổ sung xác nhận", user="son",
                      now=DAY1)
    assert returned["due_at"] == "2026-03-09T23:59:59+07:00"  # 5 WD
    assert sweep(cli, "2026-03-06T00:00:01+07:00")["reminded"] == 1  # 50% → 3 WD: Thu 5
    assert messages(cli, item, "reminder") == [("mai", "reminder")]
    assert sweep(cli, "2026-03-10T00:00:01+07:00")["escalated"] == 1
    assert messages(cli, item, "escalation") == [("son", "escalation")]  # the school's head
    assert sweep(cli, "2026-03-16T23:59:58+07:00")["fired"] == 0  # 200% = 10 WD: Mon 16
    assert cli.ok("show", item)["state"] == "returned"
    assert sweep(cli, "2026-03-17T00:00:01+07:00")["fired"] == 1
    assert cli.ok("show", item)["state"] == "expired"


def test_the_supplement_period_skips_tet_2027(cli: Cli, dossier: Path) -> None:
    start = "2027-02-01T09:00:00+07:00"  # Mon; Tết: Thu 4 – Wed 10 February
    item = cstdcs(cli, dossier, now=start)
    returned = cli.ok("fire", item, "return", "--comment", "Bổ sung", user="thu", now=start)
    # Tue 2, Wed 3, Thu 11, Fri 12, Mon 15 … Mon 22: the 10th working day (without Tết: Feb 12)
    assert returned["due_at"] == "2027-02-22T23:59:59+07:00"
    tet = [d for d in VN.holidays_in(2027) if date(2027, 2, 1) <= d <= date(2027, 2, 22)]
    assert len([d for d in tet if d.weekday() < 5]) == 5
    assert sweep(cli, "2027-02-13T00:00:01+07:00")["claimed"] == 0  # nothing on the 10th day
    half = sweep(cli, "2027-02-16T00:00:01+07:00")  # 5 WD: Mon 15 February
    assert half["reminded"] == 1
    assert sweep(cli, "2027-02-23T00:00:01+07:00")["escalated"] == 1
    assert sweep(cli, "2027-03-01T23:59:58+07:00")["fired"] == 0  # 15 WD: Mon 1 March
    assert cli.ok("show", item)["state"] == "returned"
    assert sweep(cli, "2027-03-02T00:00:01+07:00")["fired"] == 1
    assert cli.ok("show", item)["state"] == "expired"
