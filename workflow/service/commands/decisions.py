"""Numbered decisions for many awardees, and revocation.

``issue`` is one unit of work: every item is checked first, in the order given (its awarding
transition from where it is, the decider's role for it — at the unit above when its nominee
holds that role: nobody decides their own case —, its guards, one issuing unit for all, and
one achievement, one award: no standing grant of the award for the nominee and year, nor a
second item of the batch granting it); the first that cannot be awarded is named and nothing
changes. Then the decision takes
the next number of its issuing unit for the year of its date, each item takes its awarding
transition naming the decision, and the one document listing every awardee is issued.

``awaiting`` lists what a decider could put on a decision now: the items at their reach whose
state has an awarding transition they may take, each passing the checks ``issue`` makes.

``revoke`` marks a grant revoked (kept, with reason, date, actor and an optional revoking
decision's number), audited; the register and eligibility stop counting it at once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.errors import InvalidInput, NotAllowed, NotFound, PermissionDenied
from workflow.flow import FlowSpec, TransitionSpec, clean_text
from workflow.ids import parse_id
from workflow.service import access
from workflow.service.base import Actor, Deps, ItemContext, RoutedUp, load, nomination_year
from workflow.service.lifecycle import Step
from workflow.service.lifecycle.decision import check_one_award, issue_document, open_decision
from workflow.service.moves import apply
from workflow.service.present import decision_view, grant_view, item_summary
from workflow.store import GrantRow, NominationRow, Tx

__all__ = ["MAX_ITEMS", "awaiting", "issue", "revoke", "revoke_grant"]

MAX_ITEMS = 5000  # one decision's list; a province's yearly batch is a few hundred
MAX_REASON = 2000


def _parse_date(text: str | None, deps: Deps, today: date) -> date:
    if text is None or not text.strip():
        return today
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"--date {text!r}: write the decision's date as YYYY-MM-DD",
                           msgid="decision.bad_date", values={"date": text}) from None
    if day > today:
        raise InvalidInput(f"--date {day.isoformat()} is after today ({today.isoformat()}); "
                           "a decision is dated when it is signed",
                           msgid="decision.future_date", values={"date": day.isoformat()})
    return day


def issue(deps: Deps, tx: Tx, actor: Actor, item_ids: list[str], number: int | None = None,
          on: str | None = None) -> dict[str, Any]:
    """One numbered decision awarding every item of ``item_ids``, all or nothing."""
    if not item_ids:
        raise InvalidInput("a decision needs at least one item (--items ID,ID,…)",
                           msgid="decision.no_items")
    if len(item_ids) > MAX_ITEMS:
        raise InvalidInput(f"a decision lists at most {MAX_ITEMS} items",
                           msgid="decision.too_many", values={"max": MAX_ITEMS})
    keys = [parse_id(i, "nomination") for i in item_ids]
    seen: set[int] = set()
    for key in keys:
        if key in seen:
            raise InvalidInput(f"nomination {key} is listed twice", msgid="decision.twice",
                               values={"id": str(key)}, id=str(key))
        seen.add(key)
    if number is not None and not 1 <= number <= 999_999:
        raise InvalidInput(f"--number {number}: a decision's number is 1 … 999999",
                           msgid="decision.bad_number", values={"number": number})
    # lock the rows in id order (two issuers of overlapping lists never deadlock); check
    # them in the order given, so the first that cannot be awarded is the one named
    loaded: dict[int, tuple[NominationRow, FlowSpec]] = {}
    for key in sorted(keys):
        item, machine = load(deps, tx, key, lock=True)
        loaded[key] = (item, machine.spec)
    plan: list[tuple[NominationRow, FlowSpec, TransitionSpec, str, RoutedUp | None]] = []
    awardees: dict[tuple[str, int, str, str], int] = {}
    issuer: str | None = None
    first_flow: FlowSpec | None = None
    for key in keys:
        item, flow = loaded[key]
        unit = access.issuing_unit(deps, tx, item, flow)
        if issuer is None:
            issuer, first_flow = unit, flow
        elif unit != issuer:
            raise NotAllowed(
                f"nomination {item.id} is decided at {unit}, not at {issuer} like nomination "
                f"{keys[0]}: one decision has one issuer; nothing was decided",
                msgid="decision.other_issuer", values={"id": str(item.id), "unit": unit,
                                                       "issuer": issuer}, id=str(item.id))
        t, dest, routed = _awarding(deps, tx, actor, item, flow)
        _once_in_batch(deps, item, flow, awardees)
        plan.append((item, flow, t, dest, routed))
    assert issuer is not None and first_flow is not None
    today = deps.calendar(first_flow).local_date(deps.now())
    decision = open_decision(deps, tx, actor.login, issuer, _parse_date(on, deps, today),
                             number, len(plan))
    for item, flow, t, dest, routed in plan:
        payload: dict[str, Any] = {"trigger": t.trigger, "decision": decision.number,
                                   "decision_id": str(decision.id)}
        if routed is not None:
            payload["routed_up"] = routed.payload()
        apply(deps, tx, item, flow, Step(t.trigger, actor, payload=payload, dest=dest))
    issue_document(deps, tx, decision.id)
    row = tx.decisions.get(decision.id)
    assert row is not None
    shown = decision_view(deps, tx, row)
    shown["items"] = [str(p[0].id) for p in plan]
    shown["states"] = {str(p[0].id): p[0].state for p in plan}
    return shown


def awaiting(deps: Deps, tx: Tx, actor: Actor, limit: int) -> list[dict[str, Any]]:
    """Items waiting on ``actor``'s decision, oldest first: open items of the units they reach
    whose state has an awarding transition they may take and that pass every check of
    :func:`issue` for one item (its role, guards, one achievement one award). Each comes with
    its award, year and issuing unit; at most ``limit``."""
    units = access.reach(deps, tx, actor)
    out: list[dict[str, Any]] = []
    now = deps.now()
    after = 0
    while units and len(out) < limit:
        rows = tx.items.page(units=units, open_only=True, after_id=after, limit=500)
        if not rows:
            break
        for row in rows:
            flow = deps.compiled(tx, row.flow_version).spec
            t = flow.awarding(row.state)
            if t is None or not access.may_take(deps, tx, actor, row, flow, t):
                continue
            try:
                _awarding(deps, tx, actor, row, flow)
            except (NotAllowed, PermissionDenied):
                continue
            summary = item_summary(deps, row, now)
            summary.update(award=flow.award, year=nomination_year(row, deps.calendar(flow)),
                           issuer=access.issuing_unit(deps, tx, row, flow))
            out.append(summary)
            if len(out) == limit:
                break
        after = rows[-1].id
    return out


def _once_in_batch(deps: Deps, item: NominationRow, flow: FlowSpec,
                   awardees: dict[tuple[str, int, str, str], int]) -> None:
    """One achievement, one award within the batch: two items of one decision may not grant
    the same award for the same year to the same nominee (an ad-hoc award: one per deed)."""
    if flow.ad_hoc:
        return
    year = nomination_year(item, deps.calendar(flow))
    for kind, who in (("person", item.person_login), ("unit", item.nominee_unit)):
        if who is None:
            continue
        first = awardees.setdefault((flow.award, year, kind, who), item.id)
        if first != item.id:
            raise NotAllowed(
                f"nomination {item.id} cannot be awarded: nomination {first} of the same "
                f"decision grants {who} {flow.award} for {year} already; one achievement, "
                "one award; nothing was decided", msgid="decision.twice_in_batch",
                values={"id": str(item.id), "first": str(first), "award": flow.award,
                        "year": year}, id=str(item.id))


def _awarding(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, flow: FlowSpec
              ) -> tuple[TransitionSpec, str, RoutedUp | None]:
    """The item's awarding transition and where it leads, checked as ``fire`` checks it;
    an item that cannot take it is named in the error."""
    t = flow.awarding(item.state)
    if t is None:
        raise NotAllowed(
            f"nomination {item.id} cannot be awarded now: it is in {item.state}, which has no "
            "awarding transition by the decider; nothing was decided",
            msgid="decision.not_awardable", values={"id": str(item.id)}, id=str(item.id),
            state=item.state)
    machine = deps.compiled(tx, item.flow_version)
    try:
        routed = access.may_fire(deps, tx, actor, item, t, flow)
        dest = machine.fire(item.state, t.trigger, ItemContext(deps, tx, item, flow))
    except (NotAllowed, PermissionDenied) as exc:
        cls = type(exc) if isinstance(exc, PermissionDenied) else NotAllowed
        raise cls(f"nomination {item.id} cannot be awarded: {exc.message}; nothing was "
                  "decided", msgid="decision.item_refused",
                  values={"id": str(item.id), "reason": exc.reason or exc.message},
                  id=str(item.id)) from None
    check_one_award(deps, tx, item, flow)
    return t, dest, routed


def revoke(deps: Deps, tx: Tx, actor: Actor, grant_id: str, reason: str,
           decision: str | None = None) -> dict[str, Any]:
    """``award revoke``: the issuing level's decider revokes a grant."""
    key = parse_id(grant_id, "grant")
    grant = tx.grants.get(key, lock=True)
    if grant is None:
        raise NotFound(f"no grant {key} in the register", msgid="grant.unknown",
                       values={"id": str(key)}, id=str(key))
    unit, roles = _revoking_level(deps, tx, grant)
    access.may_revoke(deps, tx, actor, roles, unit, f"revoke grant {key}")
    return revoke_grant(deps, tx, actor, grant, reason, decision, objection=None)


def _revoking_level(deps: Deps, tx: Tx, grant: GrantRow) -> tuple[str, tuple[str, ...]]:
    """Where the award was decided and the roles that decide there: the decision's unit
    and the deciding roles of the item's flow; for an imported award, the unit it was
    recorded at (else the top of the directory) and any deciding role."""
    flow_roles: tuple[str, ...] = ()
    if grant.nomination_id is not None:
        item, machine = load(deps, tx, grant.nomination_id)
        flow_roles = tuple(dict.fromkeys(r.role for r in machine.spec.decider.roles))
        decision = tx.decisions.get(grant.decision_id) if grant.decision_id else None
        if decision is not None:
            return decision.unit_id, flow_roles
        return access.issuing_unit(deps, tx, item, machine.spec), flow_roles
    every = tuple(dict.fromkeys(r.role for f in deps.definitions.flows.values()
                                for r in f.decider.roles))
    tree = deps.tree(tx)
    if grant.unit_id and grant.unit_id in tree:
        return grant.unit_id, every
    top = next((u.id for u in tree.units.values() if u.parent is None), "")
    return top, every


def revoke_grant(deps: Deps, tx: Tx, actor: Actor, grant: GrantRow, reason: str,
                 decision: str | None, objection: int | None) -> dict[str, Any]:
    """Mark ``grant`` revoked and audit it (the caller has checked who may)."""
    reason = clean_text(reason, "the reason", MAX_REASON)
    if not reason.strip():
        raise InvalidInput("revoking an award needs a reason (--reason TEXT)",
                           msgid="revoke.no_reason")
    decision = (clean_text(decision, "the revoking decision's number", 64) or "").strip() or None
    now = deps.now()
    if not tx.grants.revoke(grant.id, now, actor.login, reason.strip(), decision):
        raise NotAllowed(f"grant {grant.id} is already {grant.status}",
                         msgid="revoke.twice", values={"id": str(grant.id)},
                         status=grant.status)
    payload: dict[str, Any] = {"grant": str(grant.id), "award": grant.award,
                               "year": grant.year, "person": grant.person_login,
                               "reason": reason.strip()}
    if decision:
        payload["decision"] = decision
    if objection is not None:
        payload["objection"] = objection
    item = tx.items.get(grant.nomination_id) if grant.nomination_id is not None else None
    if item is not None:
        tx.items.save(item, item.version)  # its page changes: the award shows revoked
    tx.audit.append(now, actor.login, "revoked", grant.nomination_id, None, None, payload)
    tx.events.append(("revoked", {"award": grant.award}))
    row = tx.grants.get(grant.id)
    assert row is not None
    return grant_view(deps, tx, row)
