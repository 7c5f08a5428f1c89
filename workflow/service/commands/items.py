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

from workflow.errors import Conflict, InvalidInput, NotAllowed, NotFound
from workflow.flow import FlowSpec, clean_text, coerce_all, nfc
from workflow.flow.model import VOTE_TRIGGERS
from workflow.service import access
from workflow.service.base import Actor, Deps, ItemContext, load
from workflow.service.commands import ballots
from workflow.service.lifecycle import Step
from workflow.service.lifecycle.timed import due_at
from workflow.service.moves import apply, enter
from workflow.service.present import item_summary
from workflow.store import NominationRow, Tx

__all__ = ["attach", "collective_nominee", "detach", "fire", "name_key", "nominate",
           "update_fields"]

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_FILE_NAME = 255  # characters, what file systems allow


def name_key(name: str) -> str:
    """A name compared as people write it: NFC, case and spacing aside."""
    return " ".join(nfc(name).casefold().split())


def nominate(deps: Deps, tx: Tx, actor: Actor, flow_id: str, unit: str, nominee: str,
             person: str | None, values: dict[str, Any], *, confidential: bool = False,
             nominee_unit: str | None = None) -> dict[str, Any]:
    """A new item; ``confidential`` (or the flow's own ``confidential: true``): a nominee on
    special or secret tasks, named only to people with a role at the unit or above;
    ``nominee_unit``: the unit that is the nominee of a collective flow (see
    :func:`collective_nominee`)."""
    flow = deps.definitions.flow(flow_id)
    nominee = clean_text(nominee, "the nominee's name", 500)
    if not nominee.strip() and person is not None and (
            known := tx.directory.person(person)) is not None:
        nominee = nfc(known["name"])  # a person of the directory is named as it names them
    if not nominee.strip() and flow.nominee != "collective":
        raise InvalidInput("the nominee's name must not be empty (--nominee, or --person LOGIN "
                           "to take the name from the directory)", msgid="nominate.no_name")
    if unit not in deps.tree(tx):
        raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown", unit=unit)
    # who may nominate here comes first: the checks below name people of the directory
    access.authorize(deps, tx, actor, access.proposer_roles(flow), unit,
                     f"nominate in {flow.id!r} at {unit}")
    # a collective's nominee is a unit; its name defaults to the directory's
    nominee, nominee_unit = collective_nominee(deps, tx, flow, unit, nominee, person,
                                               nominee_unit)
    if person is not None:
        row = tx.directory.people([person]).get(person)
        if row is None:
            raise NotFound(f"no person {person!r} in the directory", msgid="person.unknown",
                           person=person)
        works_at = row["unit_id"]
        if works_at and works_at != unit and works_at not in deps.tree(tx).descendants(unit):
            # a unit proposes its own people; where they do work is not said
            raise NotAllowed(f"{person!r} does not work at {unit} or a unit below it",
                             msgid="nominate.works_elsewhere", person=person)
        # the login ties the item to a history (eligibility, recusal, awards granted): it must
        # be the person named, not whoever an officer picks
        if name_key(row["name"]) != name_key(nominee):
            # the directory's name for them is not said: an officer learns nobody's name
            # from a refusal
            raise InvalidInput(
                f"the nominee {nominee.strip()!r} is not the name the directory has for "
                f"{person!r}; give the name as the directory has it",
                msgid="nominate.name_mismatch", person=person)
    fields = coerce_all(flow, values)
    now = deps.now()
    tx.flows.keep(flow.version, flow.id, flow.path, flow.source, now)
    initial = flow.states[flow.initial]
    item = tx.items.insert(
        flow_id=flow.id, flow_version=flow.version, state=initial.name, unit_id=unit,
        nominee=nominee.strip(), person_login=person,
        fields={k: v for k, v in fields.items() if v is not None},
        created_at=now, created_by=actor.login,
        confidential=confidential or flow.confidential, nominee_unit=nominee_unit)
    payload: dict[str, Any] = {
        "flow": flow.id, "flow_version": flow.version, "unit": unit, "nominee": item.nominee,
        "person": person, "fields": item.fields}
    if nominee_unit is not None:
        payload["nominee_unit"] = nominee_unit
    if item.confidential:
        payload["confidential"] = True
    tx.audit.append(now, actor.login, "created", item.id, None, initial.name, payload)
    if initial.timed or initial.render or initial.type != "task":
        item.due_at = due_at(deps, flow, initial, now, None)
        tx.items.save(item, item.version)
        apply(deps, tx, item, flow, *enter(deps, tx, item, flow))
    return item_summary(deps, item, now)


def collective_nominee(deps: Deps, tx: Tx, flow: FlowSpec, unit: str, nominee: str,
                       person: str | None, nominee_unit: str | None
                       ) -> tuple[str, str | None]:
    """The nominee's name and unit of a nomination in ``flow`` from ``unit``.

    A collective flow's nominee is a unit of the directory (``nominee_unit``): the nominating
    unit itself when none is given (a unit nominating itself, as for the emulation flag), else
    the nominating unit or one below it; its name defaults to the unit's name. Any other flow
    takes no nominee unit (exit 1); an unknown unit is exit 5, a unit outside the nominating
    unit's subtree exit 4, a login with a collective exit 1."""
    if flow.nominee != "collective":
        if nominee_unit is not None:
            raise InvalidInput(f"--nominee-unit is for collective flows; {flow.id!r} nominates "
                               f"a nominee of kind {flow.nominee!r}",
                               msgid="nominate.unit_not_collective", flow=flow.id)
        return nominee, None
    if person is not None:
        raise InvalidInput(f"{flow.id!r} nominates a collective (a unit, --nominee-unit); "
                           "--person is for individuals", msgid="nominate.person_collective",
                           flow=flow.id)
    tree = deps.tree(tx)
    chosen = unit if nominee_unit is None else nominee_unit.strip()
    if chosen not in tree:
        raise NotFound(f"no unit {chosen!r} in the directory (--nominee-unit)",
                       msgid="unit.unknown", unit=chosen)
    if unit in tree and chosen != unit and chosen not in tree.descendants(unit):
        raise NotAllowed(f"{chosen} is not {unit} or a unit below it; a unit nominates itself "
                         "or its own units", msgid="nominate.unit_elsewhere", unit=chosen)
    if not nominee.strip():
        nominee = nfc(tree.units[chosen].name)
    return nominee, chosen


def update_fields(deps: Deps, tx: Tx, actor: Actor, nomination_id: str,
                  values: dict[str, Any], expect_version: int | None = None) -> dict[str, Any]:
    item, machine = load(deps, tx, nomination_id)
    check_version(item, expect_version)
    flow = machine.spec
    if item.final:
        raise NotAllowed(f"nomination {item.id} is final ({item.state}); fields are frozen",
                         msgid="item.final_fields", state=item.state)
    _open_dossier(deps, tx, actor, item, flow, "edit")
    fields = coerce_all(flow, values)
    before = dict(item.fields)
    for name, value in fields.items():
        if value is None:
            item.fields.pop(name, None)
        else:
            item.fields[name] = value
    tx.items.save(item, item.version)
    changed = {k: item.fields.get(k) for k in fields if before.get(k) != item.fields.get(k)}
    tx.audit.append(deps.now(), actor.login, "updated", item.id, item.state, item.state,
                    {"fields": changed})
    return item_summary(deps, item, deps.now())


def _open_dossier(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, flow: FlowSpec,
                  what: str) -> None:
    """The dossier (documents and details) may change now, and ``actor`` is one of those who
    put it together."""
    if item.final:
        raise NotAllowed(f"nomination {item.id} is final ({item.state}); the dossier is closed",
                         msgid="item.final_dossier", state=item.state)
    if not access.dossier_open(flow, item.state):
        raise NotAllowed(f"the dossier of nomination {item.id} is frozen from submission on "
                         f"(it is in {item.state}); it can change again if it is returned",
                         msgid="attach.frozen", state=item.state)
    access.authorize(deps, tx, actor, access.proposer_roles(flow), item.unit_id,
                     f"{what} nomination {item.id}")


def _document_type(flow: FlowSpec, doctype: str) -> None:
    if doctype not in flow.documents:
        known = list(flow.documents)
        raise InvalidInput(
            f"flow {flow.id!r} has no document type {doctype!r}; "
            f"types: {', '.join(known) or 'none'}", msgid="attach.unknown_type",
            values={"doctypes": known}, doctype=doctype, allowed=known)


def attach(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, doctype: str, path: Path
           ) -> dict[str, Any]:
    """Add a document to the dossier; a document of a type already there replaces it (the
    earlier version is kept, and named in the audit entry)."""
    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    _document_type(flow, doctype)
    _open_dossier(deps, tx, actor, item, flow, "attach documents to")
    content = _read_document(path)
    if not content:
        raise InvalidInput(f"{path.name} is empty", msgid="attach.empty",
                           values={"name": path.name}, file=str(path))
    if len(path.name) > MAX_FILE_NAME:
        raise InvalidInput(f"the file name is longer than {MAX_FILE_NAME} characters",
                           msgid="attach.name_too_long", values={"max": MAX_FILE_NAME},
                           file=path.name[:40])
    digest = hashlib.sha256(content).hexdigest()
    now = deps.now()
    replaced = tx.documents.supersede(item.id, doctype, now)
    doc_id = tx.documents.add(item.id, doctype, path.name, digest, content, now, actor.login)
    tx.items.save(item, item.version)
    payload: dict[str, Any] = {"document": str(doc_id), "type": doctype, "file": path.name,
                               "sha256": digest, "size": len(content)}
    if replaced:
        payload["replaces"] = [{"document": str(d.id), "file": d.filename, "sha256": d.sha256}
                               for d in replaced]
    tx.audit.append(now, actor.login, "attached", item.id, item.state, item.state, payload)
    return {"id": str(doc_id), "nomination": str(item.id), "type": doctype, "file": path.name,
            "sha256": digest, "size": len(content),
            "replaced": [str(d.id) for d in replaced]}


def detach(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, doctype: str
           ) -> dict[str, Any]:
    """Withdraw a document from an open dossier (kept, and named in the audit entry)."""
    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    _document_type(flow, doctype)
    _open_dossier(deps, tx, actor, item, flow, "withdraw documents from")
    withdrawn = tx.documents.supersede(item.id, doctype, deps.now())
    if not withdrawn:
        raise NotAllowed(f"the dossier of nomination {item.id} holds no {doctype}",
                         msgid="attach.none_to_withdraw", doctype=doctype)
    tx.items.save(item, item.version)
    tx.audit.append(deps.now(), actor.login, "detached", item.id, item.state, item.state, {
        "type": doctype, "documents": [{"document": str(d.id), "file": d.filename,
                                        "sha256": d.sha256} for d in withdrawn]})
    return {"nomination": str(item.id), "type": doctype,
            "withdrawn": [str(d.id) for d in withdrawn]}


def _read_document(path: Path) -> bytes:
    """A dossier file's bytes, read no further than the size limit: a device (/dev/zero) or a
    pipe is refused before reading, and a file larger than the limit after one read past it."""
    where = str(path)
    try:
        if path.is_dir():
            raise InvalidInput(f"{where!r} is a folder, not a file", msgid="attach.folder",
                               values={"name": path.name}, file=where)
        if path.exists() and not path.is_file():
            raise InvalidInput(f"{where!r} is not a regular file", msgid="attach.not_regular",
                               values={"name": path.name}, file=where)
        with path.open("rb") as handle:
            content = handle.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput(f"no file {where!r} to attach", msgid="attach.no_file",
                           values={"name": path.name}, file=where) from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {where!r}: {exc.strerror}", msgid="attach.unreadable",
                           values={"name": path.name}, file=where) from None
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(f"{path.name} is larger than {MAX_DOCUMENT_BYTES // 2**20} MiB",
                           msgid="attach.too_large",
                           values={"name": path.name, "mib": MAX_DOCUMENT_BYTES // 2**20},
                           file=where)
    return content


def check_version(item: NominationRow, expected: int | None) -> None:
    if expected is not None and item.version != expected:
        raise Conflict(
            f"nomination {item.id} is at version {item.version}, not {expected}: "
            "someone changed it; reload it and try again", msgid="item.changed",
            id=str(item.id), version=item.version, expected_version=expected)


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
    check_version(item, expect_version)
    flow = machine.spec
    if trigger in VOTE_TRIGGERS and flow.states[item.state].type == "vote":
        return ballots.fire_builtin(deps, tx, actor, item, flow, trigger, comment)
    t = flow.transition(item.state, trigger)
    if t is None or not machine.can(item.state, trigger):
        raise machine.not_allowed(item.state, trigger)
    access.may_fire(deps, tx, actor, item, t)
    comment = clean_text(comment, "the comment") or None
    if t.comment == "required" and comment is None:
        raise InvalidInput(f"'{trigger}' needs a comment (--comment TEXT)",
                           msgid="fire.comment_required", trigger=trigger)
    dest = machine.fire(item.state, trigger, ItemContext(deps, tx, item, flow))
    payload: dict[str, Any] = {"trigger": trigger, **(extra or {})}
    if comment:
        payload["comment"] = comment
    moved = apply(deps, tx, item, flow, Step(trigger, actor, payload=payload, dest=dest))
    result = item_summary(deps, item, deps.now())
    result.update({"from": moved[0].from_state, "trigger": trigger, "seq": moved[0].seq})
    return result
