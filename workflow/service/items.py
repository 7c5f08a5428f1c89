"""Use cases on one item: nominate, update fields, attach a document, fire a trigger.

Order of checks when firing (so the exit code says the most useful thing first): the item
exists (5) and is unchanged if a version was expected (6); the trigger is allowed from its
state (4, listing what is); the actor holds a role for it at the right unit (3); a required
comment is given (1); the guards pass (4, naming the guard and why).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from workflow.errors import Conflict, InvalidInput, NotAllowed, NotFound, PermissionDenied
from workflow.flow import FlowSpec, RoleRef, TransitionSpec, coerce_all, nfc
from workflow.ids import parse_id
from workflow.machine import CompiledFlow
from workflow.service.context import Actor, Deps, ItemContext
from workflow.service.moves import Moved, enter_state, move
from workflow.service.views import item_summary
from workflow.store import NominationRow, Tx

__all__ = ["attach", "available", "fire", "load", "nominate", "queue", "update_fields"]

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def load(deps: Deps, tx: Tx, nomination_id: str | int, *, lock: bool = False
         ) -> tuple[NominationRow, CompiledFlow]:
    key = parse_id(nomination_id, "nomination")
    item = tx.nomination(key, lock=lock)
    if item is None:
        raise NotFound(f"no nomination {key}", id=str(key))
    return item, deps.compiled(tx, item.flow_version)


def proposer_roles(flow: FlowSpec) -> tuple[RoleRef, ...]:
    """Who may create an item: whoever may fire a transition out of the initial state."""
    roles: list[RoleRef] = []
    for t in flow.transitions_from(flow.initial):
        roles.extend(r for r in t.by.roles if r not in roles)
    return tuple(roles)


def _name_key(name: str) -> str:
    """A name compared as people write it: NFC, case and spacing aside."""
    return " ".join(nfc(name).casefold().split())


def nominate(deps: Deps, tx: Tx, actor: Actor, flow_id: str, unit: str, nominee: str,
             person: str | None, values: dict[str, Any]) -> dict[str, Any]:
    flow = deps.definitions.flow(flow_id)
    nominee = nfc(nominee or "")
    if not nominee.strip() and person is not None and (known := tx.person(person)) is not None:
        nominee = nfc(known["name"])  # a person of the directory is named as it names them
    if not nominee.strip():
        raise InvalidInput("the nominee's name must not be empty (--nominee, or --person LOGIN "
                           "to take the name from the directory)")
    tree = deps.tree(tx)
    if unit not in tree:
        raise NotFound(f"no unit {unit!r} in the directory", unit=unit)
    # who may nominate here comes first: the checks below name people of the directory
    deps.authorize(tx, actor, proposer_roles(flow), unit, f"nominate in {flow.id!r} at {unit}")
    if person is not None:
        row = tx.person(person)
        if row is None:
            raise NotFound(f"no person {person!r} in the directory", person=person)
        # the login ties the item to a history (eligibility, recusal, awards granted): it must
        # be the person named, not whoever an officer picks
        if _name_key(row["name"]) != _name_key(nominee):
            raise InvalidInput(
                f"the nominee {nominee.strip()!r} is not {person!r}, who is {row['name']!r} in "
                "the directory; give the name as the directory has it", person=person)
    fields = coerce_all(flow, values)
    now = deps.now()
    tx.keep_flow_version(flow.version, flow.id, flow.path, flow.source, now)
    initial = flow.states[flow.initial]
    item_id = tx.insert_nomination(
        flow_id=flow.id, flow_version=flow.version, state=initial.name, version=1,
        unit_id=unit, nominee=nominee.strip(), person_login=person,
        fields={k: v for k, v in fields.items() if v is not None},
        created_at=now, created_by=actor.login, entered_at=now, entry_no=1,
        due_at=None, final=False, outcome=None, hold_data=None,
    )
    item = tx.nomination(item_id)
    assert item is not None
    tx.audit.append(now, actor.login, "created", item_id, None, initial.name, {
        "flow": flow.id, "flow_version": flow.version, "unit": unit, "nominee": item.nominee,
        "person": person, "fields": item.fields})
    if initial.timed or initial.render or initial.type != "task":
        from workflow.service import timers
        item.due_at = timers.due_at(deps, flow, initial, now, None)
        tx.save_nomination(item, item.version)
        enter_state(deps, tx, item, flow, initial)
    return item_summary(deps, item, now)


def _editors(flow: FlowSpec, state: str) -> tuple[RoleRef, ...]:
    roles = list(proposer_roles(flow))
    for t in flow.transitions_from(state):
        roles.extend(r for r in t.by.roles if r not in roles)
    return tuple(roles)


def update_fields(deps: Deps, tx: Tx, actor: Actor, nomination_id: str,
                  values: dict[str, Any], expect_version: int | None = None) -> dict[str, Any]:
    item, machine = load(deps, tx, nomination_id)
    _check_version(item, expect_version)
    flow = machine.spec
    if item.final:
        raise NotAllowed(f"nomination {item.id} is final ({item.state}); fields are frozen",
                         state=item.state)
    fields = coerce_all(flow, values)
    deps.authorize(tx, actor, _editors(flow, item.state), item.unit_id,
                   f"edit nomination {item.id}")
    before = dict(item.fields)
    for name, value in fields.items():
        if value is None:
            item.fields.pop(name, None)
        else:
            item.fields[name] = value
    tx.save_nomination(item, item.version)
    changed = {k: item.fields.get(k) for k in fields if before.get(k) != item.fields.get(k)}
    tx.audit.append(deps.now(), actor.login, "updated", item.id, item.state, item.state,
                    {"fields": changed})
    return item_summary(deps, item, deps.now())


def attach(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, doctype: str, path: Path
           ) -> dict[str, Any]:
    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    if doctype not in flow.documents:
        known = list(flow.documents)
        raise InvalidInput(
            f"flow {flow.id!r} has no document type {doctype!r}; "
            f"types: {', '.join(known) or 'none'}", doctype=doctype, allowed=known)
    if item.final:
        raise NotAllowed(f"nomination {item.id} is final ({item.state}); the dossier is closed",
                         state=item.state)
    deps.authorize(tx, actor, _editors(flow, item.state), item.unit_id,
                   f"attach documents to nomination {item.id}")
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"no file {str(path)!r} to attach", file=str(path)) from None
    except IsADirectoryError:
        raise InvalidInput(f"{str(path)!r} is a folder, not a file", file=str(path)) from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {str(path)!r}: {exc.strerror}", file=str(path)) from None
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(f"{path.name} is larger than {MAX_DOCUMENT_BYTES // 2**20} MiB",
                           file=str(path))
    digest = hashlib.sha256(content).hexdigest()
    now = deps.now()
    doc_id = tx.add_document(item.id, doctype, path.name, digest, content, now, actor.login)
    tx.save_nomination(item, item.version)
    tx.audit.append(now, actor.login, "attached", item.id, item.state, item.state, {
        "document": str(doc_id), "type": doctype, "file": path.name, "sha256": digest,
        "size": len(content)})
    return {"id": str(doc_id), "nomination": str(item.id), "type": doctype, "file": path.name,
            "sha256": digest, "size": len(content)}


def _check_version(item: NominationRow, expected: int | None) -> None:
    if expected is not None and item.version != expected:
        raise Conflict(
            f"nomination {item.id} is at version {item.version}, not {expected}: "
            "someone changed it; reload it and try again",
            id=str(item.id), version=item.version, expected_version=expected)


def check_actor(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, t: TransitionSpec
                ) -> None:
    if actor.system:
        if not t.by.system:
            raise PermissionDenied(f"'{t.trigger}' is not a system transition",
                                   trigger=t.trigger)
        return
    if not t.by.roles:
        raise PermissionDenied(f"'{t.trigger}' is fired by the system only", trigger=t.trigger)
    deps.authorize(tx, actor, t.by.roles, item.unit_id, f"'{t.trigger}' nomination {item.id}")


def fire(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, trigger: str,
         comment: str | None = None, expect_version: int | None = None,
         pin: dict[str, int] | None = None, extra: dict[str, Any] | None = None
         ) -> dict[str, Any]:
    """Fire ``trigger``. ``pin`` carries the version the first attempt saw across retries of
    the unit of work, so a retry after a lost race does not act on an item someone else has
    just changed: it reports a :class:`Conflict` instead."""
    item, machine = load(deps, tx, nomination_id)
    if pin is not None:
        expect_version = expect_version if expect_version is not None else pin.get("v")
        pin.setdefault("v", item.version)
    _check_version(item, expect_version)
    flow = machine.spec
    if trigger in ("close_vote", "recuse") and flow.states[item.state].type == "vote":
        from workflow.service import ballots
        return ballots.fire_builtin(deps, tx, actor, item, flow, trigger, comment)
    t = flow.transition(item.state, trigger)
    if t is None or not machine.can(item.state, trigger):
        raise machine.not_allowed(item.state, trigger)
    check_actor(deps, tx, actor, item, t)
    comment = nfc((comment or "").strip()) or None
    if t.comment == "required" and comment is None:
        raise InvalidInput(f"'{trigger}' needs a comment (--comment TEXT)", trigger=trigger)
    dest = machine.fire(item.state, trigger, ItemContext(deps, tx, item, flow))
    payload: dict[str, Any] = {"trigger": trigger, **(extra or {})}
    if comment:
        payload["comment"] = comment
    moved: Moved = move(deps, tx, item, flow, dest, actor=actor, payload=payload)
    result = item_summary(deps, item, deps.now())
    result.update({"from": moved.from_state, "trigger": trigger, "seq": moved.seq})
    return result


def available(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, flow: FlowSpec
              ) -> list[dict[str, Any]]:
    """What ``actor`` may do to ``item`` now, as the engine would judge it (a dry run: roles
    at the right unit, then the guards; nothing is written). Refused triggers are listed with
    the guard's reason so an interface can explain a disabled button."""
    from workflow.errors import GuardRefused

    if item.final:
        return []
    machine = deps.compiled(tx, item.flow_version)
    state = flow.states[item.state]
    actions: list[dict[str, Any]] = []
    for t in flow.transitions_from(item.state):
        if not t.by.roles or not deps.holds_any(tx, actor, t.by.roles, item.unit_id):
            continue
        entry: dict[str, Any] = {"action": "fire", "trigger": t.trigger, "to": t.dest,
                                 "comment": t.comment, "label": dict(t.label), "ok": True}
        try:
            machine.fire(item.state, t.trigger, ItemContext(deps, tx, item, flow))
        except GuardRefused as exc:
            entry.update(ok=False, guard=exc.fields.get("guard"), reason=exc.fields.get("reason"))
        actions.append(entry)
    if state.vote is not None:
        current = tx.ballots.latest(item.id)
        if current is not None and current.status == "open":
            standing = tx.ballots.member(current.id, actor.login)
            if standing is not None and not any(standing):
                actions += [{"action": "vote", "ok": True}, {"action": "recuse", "ok": True}]
            if deps.holds_any(tx, actor, state.vote.close_by, item.unit_id):
                actions += [{"action": "close_vote", "ok": True},
                            {"action": "written_vote", "ok": True}]
    if state.confirmations is not None:
        signed = {row[0] for row in tx.notices.confirmations(item.id, item.entry_no)}
        for key, roles in state.confirmations.items:
            if key not in signed and deps.holds_any(tx, actor, roles, item.unit_id):
                actions.append({"action": "confirm", "key": key, "ok": True})
    return actions


def queue(deps: Deps, tx: Tx, actor: Actor, limit: int) -> list[dict[str, Any]]:
    """Items waiting on ``actor`` (something they may do now), overdue first, then by due."""
    tree = deps.tree(tx)
    units: set[str] = set()
    for _role, unit in tx.roles_of(actor.login):
        units.add(unit)
        units |= tree.descendants(unit)
    out: list[tuple[Any, ...]] = []
    now = deps.now()
    after = 0
    while units:
        rows = tx.open_nominations_in(sorted(units), after_id=after, limit=500)
        if not rows:
            break
        for row in rows:
            flow = deps.compiled(tx, row.flow_version).spec
            actions = [a for a in available(deps, tx, actor, row, flow) if a["ok"]]
            if actions:
                summary = item_summary(deps, row, now)
                summary["actions"] = actions
                out.append((row.due_at is None, row.due_at or now, row.id, summary))
        after = rows[-1].id
    out.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[3] for r in out[:limit]]
