"""One annual award cycle, simulated day by day through the public Service facade.

Every step a person takes here is a use case anyone could run from the command line: the
simulation only decides *who* acts *when* (with a seeded random generator), and the engine
decides whether it is allowed, records it and moves time-driven work (reminders,
escalations, expiries, notice windows) in its daily sweep.

Units send their nominees as lists: a spreadsheet per unit and flow, written under
``lists/`` and imported (a list the engine refuses comes back with its problems; the officer
drops those rows and sends it again). Councils meet in sessions: the secretariat puts the
items waiting for its council on one paper, members cast one paper each over the following
days, absent members send written papers, and the secretariat closes the meeting.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from workflow import intake, sheets
from workflow.clock import FixedClock
from workflow.demo.office import Office
from workflow.errors import AwardError, GuardRefused, ListRejected, NotAllowed
from workflow.flow import FlowSpec, RoleRef
from workflow.service import PUBLIC, Actor, Service
from workflow.service.registry import Query

__all__ = ["Cycle", "Meeting", "Plan"]

# How likely a person gets to an item on a given working day: slow enough that some items
# run late and are escalated, fast enough that the cycle ends within the half year.
ACT = {"task": 0.45, "vote": 0.55, "confirm": 0.5, "central": 0.2}
PREFERRED = ("submit", "propose", "send", "resubmit", "accept", "accept_central",
             "propose_award", "consult", "recommend", "forward", "hand_over", "award")
DETOURS = {"return": 0.18, "decline": 0.05, "reject": 0.04, "refuse": 0.05,
           "return_to_province": 0.08}
DEEDS = ["Cứu người đuối nước", "Dập tắt đám cháy tại chợ", "Phát hiện và báo tin buôn lậu",
         "Hiến kế giảm thiệt hại do bão", "Giúp đỡ học sinh vùng khó khăn"]
OBJECTIONS = ["Người được đề nghị chưa gương mẫu trong sinh hoạt tại địa phương.",
              "Đề nghị xác minh lại thành tích sáng kiến đã kê khai.",
              "Có đơn phản ánh về việc chấp hành nghĩa vụ thuế."]


@dataclass
class Plan:
    """What one nomination is meant to be, decided when it is created."""

    id: str
    flow: str
    unit: str
    person: str | None
    strength: float  # how convincing to the council (chance of a yes ballot)
    returned: bool = False  # has the secretariat already sent it back once
    never_fixes: bool = False  # the unit never answers a return (the item will expire)
    objection: str | None = None  # 'dismiss' or 'uphold' when an objection is planned
    negative: str | None = None  # a confirmation key that will be refused


@dataclass
class Meeting:
    """A council session the secretariat has opened: who will not come, when the written
    papers of the absent arrive, when the meeting closes, who has cast a paper."""

    id: str
    council: str
    items: list[str]
    absent: set[str]
    written_day: date | None
    close_day: date
    cast: set[str] = field(default_factory=set)


@dataclass
class Cycle:
    service: Service
    clock: FixedClock
    office: Office
    rng: random.Random
    say: Callable[[str], None]
    folder: Path
    plans: dict[str, Plan] = field(default_factory=dict)
    objections: list[tuple[str, str, str, date]] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)
    upheld_used: bool = False
    negative_used: bool = False
    meetings: dict[str, Meeting] = field(default_factory=dict)  # council unit -> open one
    waiting: dict[str, date] = field(default_factory=dict)  # item -> first day in the vote
    lists: dict[str, int] = field(default_factory=lambda: {
        "sent": 0, "refused": 0, "problems": 0, "rows": 0})
    sessions: int = 0
    #: items waiting on the decider, by issuing unit: item -> the day it was first ready
    awaiting: dict[str, dict[str, date]] = field(default_factory=dict)
    register: dict[str, int] = field(default_factory=lambda: {
        "decisions": 0, "largest": 0, "revoked": 0, "complaints_after_decision": 0})
    complaint: tuple[str, str, date] | None = None  # objection, examiner, next day to act
    after: str = "complain"  # what happens after the decisions: complain, resolve, revoke, done

    # ---- time ----------------------------------------------------------------------------

    def at(self, day: date, hour: int = 9, minute: int = 0) -> None:
        tz = self.service.display_tz
        self.clock.set(datetime.combine(day, time(hour, minute), tz))

    def working(self, day: date) -> bool:
        return self.service.definitions.calendar("vn").is_working_day(day)

    # ---- who is who ----------------------------------------------------------------------

    def unit_for(self, unit_id: str, scope: str) -> str:
        if scope == "unit":
            return unit_id
        if scope == "parent":
            return self.office.units[unit_id].parent or unit_id
        current: str | None = unit_id
        while current is not None:
            if self.office.units[current].level == scope:
                return current
            current = self.office.units[current].parent
        return unit_id

    def holder(self, role: RoleRef, unit_id: str) -> str | None:
        unit = self.office.units[self.unit_for(unit_id, role.scope)]
        by_role = {
            "officer": unit.officer, "secretariat": unit.secretariat, "unit_head": unit.head,
            "council_chair": unit.head, "chairman": unit.head, "prime_minister": unit.head,
            "president": "chutichnuoc", "tax_officer": "thue", "insurance_officer": "bhxh",
            "env_officer": "moitruong", "fire_officer": "pccc", "inspector": "thanhtra",
        }
        return by_role.get(role.role) or None

    def actor_for(self, roles: tuple[RoleRef, ...], unit_id: str) -> Actor | None:
        for role in roles:
            login = self.holder(role, unit_id)
            if login:
                return Actor(login)
        return None

    # ---- nominating ----------------------------------------------------------------------

    def nominate(self, flow_id: str, unit_id: str, person: str | None, nominee: str,
                 values: dict[str, Any], strength: float, **plan: Any) -> None:
        officer = Actor(self.office.units[unit_id].officer)
        try:
            item = self.service.items.nominate(officer, flow_id, unit_id, nominee, person, values)
        except AwardError as exc:
            self.say(f"  (could not nominate {nominee}: {exc.message})")
            return
        self.plans[item["id"]] = Plan(item["id"], flow_id, unit_id, person, strength, **plan)
        self.states[item["id"]] = item["state"]

    def nominate_batch(self, day: date) -> None:
        """January: each unit sends its candidates as lists; ad-hoc deeds come all year."""
        rng, office = self.rng, self.office
        for unit_id in office.grassroots():
            unit = office.units[unit_id]
            lists: dict[str, list[tuple[str, dict[str, Any], float, dict[str, Any]]]] = {}
            for login in unit.staff:
                awards = office.history[login]
                cstdcs = {y for a, y in awards if a == "CSTDCS"}
                chance = rng.random()
                if ("BKTTG", 2020) in awards and len({y for y in cstdcs if y > 2020}) >= 3 \
                        and chance < 0.8:
                    lists.setdefault("huan-chuong-lao-dong-hang-ba", []).append((
                        login, {"year": 2025, "years_good": 6, "years_excellent": 2}, 0.97, {}))
                elif {2024, 2025} <= cstdcs and chance < 0.25:
                    lists.setdefault("bang-khen-tinh", []).append((
                        login, {"year": 2025, "rating": "HTXS", "htxs_years": 2,
                                "initiatives": rng.choice([1, 2, 3])}, 0.97, {}))
                elif chance < 0.7:
                    rating = "HTXS" if rng.random() < 0.75 else "HTT"
                    values: dict[str, Any] = {"year": 2025, "rating": rating}
                    if rng.random() < 0.5:
                        values["initiative"] = f"SK-2025-{rng.randint(100, 999)}"
                    row = (login, values, rng.choice([0.99, 0.98, 0.97, 0.95, 0.7]),
                           {"never_fixes": rng.random() < 0.08})
                    if 2025 not in cstdcs:  # one achievement, one award: not held already
                        lists.setdefault("chien-si-thi-dua-co-so", []).append(row)
            for flow_id, rows in sorted(lists.items()):
                self.send_list(unit_id, flow_id, rows)
        for n, unit_id in enumerate(office.enterprises):
            self.nominate("doanh-nghiep", unit_id, None, office.units[unit_id].name,
                          {"year": 2025, "rating": "HTXS", "tax_id": f"23001{n:05d}"},
                          strength=0.95, negative="environment" if n == 1 else None)
        heroes = [u for u in office.grassroots() if office.units[u].level == "department"][:2]
        for unit_id, strength in zip(heroes, (1.0, 0.85), strict=True):
            login = office.units[unit_id].staff[-1]
            self.nominate("anh-hung-lao-dong", unit_id, login, office.names[login],
                          {"year": 2025, "contribution_years": 15,
                           "achievement": "Nhiều sáng kiến có giá trị toàn quốc"},
                          strength=strength)

    def send_list(self, unit_id: str, flow_id: str,
                  rows: list[tuple[str, dict[str, Any], float, dict[str, Any]]]) -> None:
        """The unit's officer fills in the flow's template and imports it; when the engine
        refuses it, the rows it names are dropped and the list is sent again."""
        officer = Actor(self.office.units[unit_id].officer)
        flow = self.service.definitions.flow(flow_id)
        columns = intake.columns(flow)
        folder = self.folder / "lists"
        folder.mkdir(exist_ok=True)
        attempt = 1
        while rows:
            name = f"{unit_id}-{flow_id}" + (f"-lan-{attempt}" if attempt > 1 else "")
            path = folder / f"{name}.xlsx"
            with path.open("wb") as out:
                sheets.write_list(out, columns, [
                    [self.office.names[login], login, *(values.get(c.key) for c in columns[2:])]
                    for login, values, _strength, _plan in rows],
                    title=f"{self.office.units[unit_id].name}: {flow.title.get('vi', '')}",
                    when=self.clock.now())
            self.lists["sent"] += 1
            try:
                created = self.service.items.import_file(officer, path, flow_id,
                                                         unit_id)["created"]
            except ListRejected as exc:
                cells = exc.fields.get("cells", [])
                self.lists["refused"] += 1
                self.lists["problems"] += len(cells)
                self.say(f"  list {path.name}: {len(cells)} problem(s), e.g. {exc.problems[0]}; "
                         "the officer drops those rows and sends it again")
                bad = {c["row"] for c in cells}
                rows = [r for n, r in enumerate(rows, start=3) if n not in bad]
                attempt += 1
                continue
            self.lists["rows"] += len(created)
            for item_id, (login, _values, strength, plan) in zip(created, rows, strict=True):
                self.plans[item_id] = Plan(item_id, flow_id, unit_id, login, strength, **plan)
                self.states[item_id] = flow.initial
            return

    def nominate_deed(self, day: date) -> None:
        unit_id = self.rng.choice(self.office.grassroots())
        login = self.rng.choice(self.office.units[unit_id].staff)
        self.nominate("khen-thuong-dot-xuat", unit_id, login, self.office.names[login],
                      {"deed": self.rng.choice(DEEDS), "deed_date": day.isoformat()},
                      strength=1.0)

    # ---- acting --------------------------------------------------------------------------

    def spec(self, plan: Plan) -> FlowSpec:
        return self.service.definitions.flow(plan.flow)

    def act(self, day: date) -> None:
        voting: dict[str, list[str]] = {}
        for item in self.service.items.find():
            if item["final"]:
                continue
            plan = self.plans.get(item["id"])
            if plan is None:
                continue
            self.states[plan.id] = item["state"]
            flow = self.spec(plan)
            state = flow.states[item["state"]]
            try:
                if state.type == "vote":
                    assert state.vote is not None
                    council = self.unit_for(plan.unit, state.vote.council)
                    voting.setdefault(council, []).append(plan.id)
                elif state.type == "confirmations":
                    self.confirmations(plan, flow, item["state"])
                elif state.type == "notice":
                    assert state.notice is not None
                    self.maybe_object(plan, day, state.notice.publisher)
                elif state.type == "task":
                    self.task(plan, flow, item["state"])
            except AwardError as exc:
                if not isinstance(exc, NotAllowed):
                    self.say(f"  #{plan.id}: {exc.message}")
        for council, items in sorted(voting.items()):
            try:
                self.meet(council, items, day)
            except AwardError as exc:
                self.say(f"  council {council}: {exc.message}")
        self.sign_decisions(day)
        self.resolve_objections(day)
        self.after_decisions(day)

    def _fire(self, plan: Plan, actor: Actor, trigger: str, comment: str | None = None) -> None:
        moved = self.service.items.fire(actor, plan.id, trigger, comment)
        self.states[plan.id] = moved["state"]

    def task(self, plan: Plan, flow: FlowSpec, state: str) -> None:
        central = any(r.scope == "central" for t in flow.transitions_from(state)
                      for r in t.by.roles)
        if self.rng.random() > ACT["central" if central else "task"]:
            return
        if state == "draft":
            self.prepare_dossier(plan, flow)
        if state == "returned":
            if plan.never_fixes:
                return  # the unit never answers: the return will expire
            if plan.flow == "chien-si-thi-dua-co-so":
                self.service.items.update(Actor(self.office.units[plan.unit].officer), plan.id,
                                    {"initiative": f"SK-2025-{self.rng.randint(100, 999)}"})
        options = [t for t in flow.transitions_from(state)
                   if t.by.roles and t.trigger not in ("withdraw", "expire")]
        # (a sure case, strength 1.0, is not refused by the decider: the draw is made all the
        # same, so the rest of the simulation does not depend on it)
        detour = next((t for t in options if t.trigger in DETOURS
                       and self.rng.random() < DETOURS[t.trigger]
                       and not (t.trigger == "return" and plan.returned)
                       and not (plan.strength >= 1.0 and t.trigger in ("reject", "refuse"))),
                      None)
        main = next((t for name in PREFERRED for t in options if t.trigger == name), None)
        chosen = detour or main
        if chosen is None:
            return
        if chosen is flow.awarding(state) and flow.decider.roles:
            # the decider signs awards in batches: one numbered decision for many items
            issuer = self.unit_for(plan.unit, flow.decider.roles[0].scope)
            today = self.clock.now().astimezone(self.service.display_tz).date()
            self.awaiting.setdefault(issuer, {}).setdefault(plan.id, today)
            return
        actor = self.actor_for(chosen.by.roles, plan.unit)
        if actor is None:
            return
        comment = None
        if chosen.comment == "required":
            comment = {"return": "Hồ sơ chưa đầy đủ, đề nghị bổ sung",
                       "reject": "Chưa đủ tiêu chuẩn", "decline": "Chưa đủ tiêu chuẩn",
                       "refuse": "Chưa đủ tiêu chuẩn",
                       "return_to_province": "Đề nghị tỉnh bổ sung hồ sơ"}.get(
                           chosen.trigger, "Ý kiến xử lý")
        try:
            self._fire(plan, actor, chosen.trigger, comment)
            if chosen.trigger == "return":
                plan.returned = True
        except GuardRefused as exc:
            self.answer_refusal(plan, flow, state, exc)

    # ---- decisions, and after them -----------------------------------------------------------

    def sign_decisions(self, day: date) -> None:
        """Each issuing unit's decider signs one decision for the items that have waited a
        week, or as soon as ten are ready; an item that can no longer be awarded (an
        objection put it on hold) is left out and the rest signed."""
        for _issuer, waiting in sorted(self.awaiting.items()):
            ready = sorted((i for i in waiting if self.spec(self.plans[i]).awarding(
                self.states.get(i, "")) is not None), key=int)
            for gone in set(waiting) - set(ready):
                del waiting[gone]
            if not ready or (len(ready) < 10 and (day - min(waiting[i] for i in ready)).days < 7):
                continue
            plan = self.plans[ready[0]]
            actor = self.actor_for(self.spec(plan).decider.roles, plan.unit)
            if actor is None:
                continue
            while ready:
                try:
                    decided = self.service.register.issue(actor, ready)
                except NotAllowed as exc:
                    refused = str(exc.fields.get("id", ""))
                    if refused not in ready:
                        break
                    ready.remove(refused)
                    waiting.pop(refused, None)
                    continue
                for item in decided["items"]:
                    waiting.pop(item, None)
                    self.states[item] = decided["states"][item]
                self.register["decisions"] += 1
                self.register["largest"] = max(self.register["largest"], len(decided["items"]))
                break

    def after_decisions(self, day: date) -> None:
        """Two weeks after the first grassroots award is decided, a colleague complains
        against it; the secretariat of the level that issued the decision finds the complaint
        right a week later and the award is revoked in the same step. A few days on, a school
        head revokes an ad-hoc award found wrongly granted."""
        step = self.after
        if step == "complain":
            grant = self.first_grant("chien-si-thi-dua-co-so")
            if grant is None or (day - date.fromisoformat(grant["decided_on"])).days < 14:
                return
            filed = self.service.items.file_objection(
                PUBLIC, grant["nomination"], "Sáng kiến kê khai trong hồ sơ không phải của "
                "người được khen thưởng.", name="Một đồng nghiệp", contact="0913 000 000")
            examiner = self.office.units[grant["issuer"]].secretariat
            self.complaint = (filed["id"], examiner, day + timedelta(days=7))
            self.register["complaints_after_decision"] += 1
            self.after = "resolve"
        elif step == "resolve" and self.complaint is not None and self.complaint[2] <= day:
            objection, examiner, _ = self.complaint
            self.service.items.resolve(
                Actor(examiner), objection, "upheld", "Xác minh: sáng kiến là của người khác",
                revoke_reason="Thành tích sáng kiến kê khai không đúng sự thật")
            self.register["revoked"] += 1
            self.complaint = (objection, examiner, day + timedelta(days=3))
            self.after = "revoke"
        elif step == "revoke" and self.complaint is not None and self.complaint[2] <= day:
            grant = self.first_grant("khen-thuong-dot-xuat")
            if grant is None:
                return
            plan = self.plans[grant["nomination"]]
            head = self.actor_for(self.spec(plan).decider.roles, plan.unit)
            if head is None:
                return
            self.service.register.revoke(
                head, grant["id"], "Thành tích đột xuất được xác minh lại là không đúng",
                decision=f"{40 + self.register['revoked']}/QĐ-{grant['issuer']}")
            self.register["revoked"] += 1
            self.after = "done"

    @property
    def busy(self) -> bool:
        """Whether something after the decisions is still to happen."""
        return self.after != "done"

    def first_grant(self, flow: str) -> dict[str, Any] | None:
        """The first award of ``flow`` granted by a decision and still standing."""
        for grant in self.service.register.grants(Query(source="decision", status="granted")):
            plan = self.plans.get(grant["nomination"] or "")
            if plan is not None and plan.flow == flow and grant["issuer"] in self.office.units:
                return grant
        return None

    def answer_refusal(self, plan: Plan, flow: FlowSpec, state: str, exc: GuardRefused) -> None:
        guard = exc.fields.get("guard")
        if guard == "documents":
            self.prepare_dossier(plan, flow)
        elif guard == "eligible":
            # First the secretariat sends it back; if it comes back still not eligible, the
            # unit withdraws it where the flow allows, else it is returned until it expires.
            back = flow.transition(state, "return")
            withdraw = flow.transition(state, "withdraw")
            reason = f"Chưa đủ điều kiện: {exc.fields.get('reason')}"
            if plan.returned and withdraw is not None:
                officer = self.actor_for(withdraw.by.roles, plan.unit)
                if officer is not None:
                    self._fire(plan, officer, "withdraw", reason)
                return
            actor = self.actor_for(back.by.roles, plan.unit) if back else None
            if back is not None and actor is not None:
                plan.never_fixes = plan.returned
                self._fire(plan, actor, "return", reason)
                plan.returned = True

    def prepare_dossier(self, plan: Plan, flow: FlowSpec) -> None:
        officer = Actor(self.office.units[plan.unit].officer)
        for doctype in flow.documents:
            path = self.folder / "dossiers" / f"{plan.id}-{doctype}.pdf"
            if path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"%PDF-1.4 hồ sơ {plan.id} — {doctype}\n".encode())
            self.service.items.attach(officer, plan.id, doctype, path)

    # ---- councils meet -------------------------------------------------------------------

    def meet(self, council: str, items: list[str], day: date) -> None:
        """A council with items waiting: the secretariat opens a session on Tuesdays (or once
        an item has waited a week); members cast their papers over the following days."""
        meeting = self.meetings.get(council)
        for item in items:
            self.waiting.setdefault(item, day)
        if meeting is None:
            waited = min(self.waiting[i] for i in items)
            if day.weekday() == 1 or (day - waited).days >= 7:
                self.open_meeting(council, sorted(items, key=int), day)
            return
        self.hold_meeting(meeting, day)

    def open_meeting(self, council: str, items: list[str], day: date) -> None:
        unit = self.office.units[council]
        opened = self.service.sessions.open(Actor(unit.secretariat), council, items,
                                            f"Phiên họp ngày {day:%d/%m/%Y}")
        # provincial and central councils sit in full (their rules count who is present), as
        # do meetings on the strongest cases; elsewhere a member or two may be away
        full = unit.level in ("province", "central") or all(
            self.plans[i].strength >= 0.99 for i in items)
        absent = set() if full else {m for m in unit.council if self.rng.random() < 0.06}
        self.meetings[council] = Meeting(
            opened["id"], council, items, absent,
            day + timedelta(days=self.rng.randint(3, 8)),
            day + timedelta(days=self.rng.randint(10, 20)))
        for item in items:
            self.waiting.pop(item, None)

    def choices(self, paper: dict[str, Any]) -> dict[str, str]:
        """A member's marks on the items their paper asks for."""
        marks = {}
        for entry in paper["items"]:
            if entry["mark"] != "due":
                continue
            strength = self.plans[entry["id"]].strength
            marks[entry["id"]] = "yes" if self.rng.random() < strength else self.rng.choice(
                ["no", "no", "abstain"])
        return marks

    def hold_meeting(self, meeting: Meeting, day: date) -> None:
        unit = self.office.units[meeting.council]
        secretary = Actor(unit.secretariat)
        sessions = self.service.sessions
        for member in unit.council:
            if member in meeting.cast or member in meeting.absent:
                continue
            if self.rng.random() > ACT["vote"]:
                continue
            meeting.cast.add(member)
            marks = self.choices(sessions.paper(Actor(member), meeting.id))
            if marks:
                sessions.ballot(Actor(member), meeting.id, marks)
        if meeting.written_day and day >= meeting.written_day:
            for member in sorted(meeting.absent):
                if self.rng.random() < 0.5:  # some absent members send a written opinion
                    meeting.cast.add(member)
                    marks = self.choices(sessions.paper(Actor(member), meeting.id))
                    if marks:
                        sessions.ballot(secretary, meeting.id, marks, written_for=member)
            meeting.written_day = None
        everyone = meeting.cast | meeting.absent >= set(unit.council)
        if day >= meeting.close_day or (everyone and meeting.written_day is None):
            sessions.close(secretary, meeting.id)
            self.sessions += 1
            del self.meetings[meeting.council]

    def confirmations(self, plan: Plan, flow: FlowSpec, state: str) -> None:
        spec = flow.states[state].confirmations
        assert spec is not None
        waiting = {c["key"] for c in self.service.items.show(plan.id)["confirmations"]
                   if c["decision"] is None}
        for key, roles in spec.items:
            if key not in waiting or self.rng.random() > ACT["confirm"]:
                continue
            actor = self.actor_for(roles, plan.unit)
            if actor is None:
                continue
            negative = key == plan.negative and not self.negative_used
            decision = "no" if negative else "yes"
            self.negative_used |= negative
            result = self.service.items.confirm(actor, plan.id, key, decision,
                                          "Vi phạm quy định về môi trường năm 2025"
                                          if negative else None)
            if result["state"] != state:
                return

    def maybe_object(self, plan: Plan, day: date, publisher: str) -> None:
        if plan.objection is not None or self.rng.random() > 0.12:
            return
        uphold = not self.upheld_used and plan.flow != "anh-hung-lao-dong"
        self.upheld_used |= uphold
        plan.objection = "uphold" if uphold else "dismiss"
        filed = self.service.items.file_objection(PUBLIC, plan.id, self.rng.choice(OBJECTIONS),
                                    name="Một người dân", contact="0912 000 000")
        # the secretariat of the unit that published the notice examines the objection
        examiner = self.office.units[self.unit_for(plan.unit, publisher)].secretariat
        self.objections.append((filed["id"], examiner, plan.objection,
                                day + timedelta(days=self.rng.randint(2, 9))))

    def resolve_objections(self, day: date) -> None:
        left = []
        for objection_id, examiner, outcome, due in self.objections:
            if day < due:
                left.append((objection_id, examiner, outcome, due))
                continue
            secretariat = Actor(examiner)
            if outcome == "uphold":
                self.service.items.resolve(secretariat, objection_id, "upheld",
                                     "Xác minh: phản ánh đúng; không đề nghị khen thưởng")
            else:
                self.service.items.resolve(secretariat, objection_id, "dismissed",
                                     "Xác minh: không có căn cứ")
        self.objections = left
