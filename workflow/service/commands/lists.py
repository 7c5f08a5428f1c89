"""A unit's list of nominees imported in one unit of work: all of it, or nothing.

The sheet has been read (:mod:`workflow.sheets`) and parsed (:mod:`workflow.intake`: types,
required fields, choices, duplicates, each problem located as ``FILE:ROW:COLUMN``). Here
what needs the directory and the store is checked, with the same locations: the person is in
the directory, is the person the row names, works at the sending unit or below it (when the
directory says where they work), and the award's eligibility does not already fail — on the
history they have and the nominations they have in progress (an award still being decided
this year may yet count, so only a rule that fails even with those is reported). One problem
anywhere and :class:`~workflow.errors.ListRejected` carries every problem; nothing is written.
Otherwise each row becomes a nomination exactly as ``award nominate`` makes it (its own
``created`` audit entry), and one ``imported`` entry names the file, its SHA-256 and what was
created.
"""

from __future__ import annotations

from typing import Any

from workflow.catalogue import Facts, HistoryEntry
from workflow.errors import ListRejected, NotFound, Reason
from workflow.flow import FlowSpec
from workflow.intake import NOMINEE, NOMINEE_UNIT, PERSON, Entry, ParsedList, column_letter
from workflow.service import access
from workflow.service.base import Actor, Deps, nomination_year, reads_history
from workflow.service.commands import items
from workflow.store import Tx
from workflow.yamlnodes import suggest

__all__ = ["check_may_import", "import_list"]


def check_may_import(deps: Deps, tx: Tx, actor: Actor, flow_id: str, unit: str) -> FlowSpec:
    """The flow, once the unit exists and ``actor`` may nominate there (before a word is
    said about the file's content)."""
    flow = deps.definitions.flow(flow_id)
    if unit not in deps.tree(tx):
        raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown", unit=unit)
    access.authorize(deps, tx, actor, access.proposer_roles(flow), unit,
                     f"nominate in {flow.id!r} at {unit}")
    return flow


def import_list(deps: Deps, tx: Tx, actor: Actor, flow_id: str, unit: str,
                parsed: ParsedList, sha256: str) -> dict[str, Any]:
    flow = check_may_import(deps, tx, actor, flow_id, unit)
    if not parsed.entries and not parsed.problems:
        parsed.problem(parsed.first_row, NOMINEE, Reason("list.empty",
                                                         "the list has no nominees"))
    _check_people(deps, tx, flow, unit, parsed)
    if parsed.problems:
        ordered = sorted(parsed.problems)
        raise ListRejected(parsed.file, [str(p) for p in ordered], [
            {"row": p.row, "column": column_letter(p.col), "message": p.message,
             "reason": p.reason.as_dict()} for p in ordered])
    created = [items.nominate(deps, tx, actor, flow.id, unit, entry.nominee or "",
                              entry.person, entry.values,
                              nominee_unit=entry.nominee_unit)["id"]
               for entry in parsed.entries]
    tx.audit.append(deps.now(), actor.login, "imported", None, None, None, {
        "file": parsed.file, "sha256": sha256, "flow": flow.id, "flow_version": flow.version,
        "unit": unit, "rows": len(created), "created": created})
    return {"created": created, "file": parsed.file, "sha256": sha256, "flow": flow.id,
            "unit": unit}


def _check_units(deps: Deps, tx: Tx, flow: FlowSpec, unit: str, parsed: ParsedList) -> None:
    """A collective flow's rows name a unit of the directory at or below the sending unit
    (empty: the sending unit itself) and no person."""
    tree = deps.tree(tx)
    here = {unit} | tree.descendants(unit)
    for entry in parsed.entries:
        if entry.person is not None:
            parsed.problem(entry.row, PERSON, Reason(
                "list.person_collective", f"{flow.id!r} nominates collectives (units): leave "
                "the person empty and give the unit (nominee_unit)", {"flow": flow.id}))
        named = entry.nominee_unit
        if named is None:
            continue
        if named not in tree:
            parsed.problem(entry.row, NOMINEE_UNIT, Reason(
                "unit.unknown", f"no unit {named!r} in the directory"
                f"{suggest(named, sorted(here))}", {"unit": named}))
        elif named not in here:
            parsed.problem(entry.row, NOMINEE_UNIT, Reason(
                "nominate.unit_elsewhere", f"{named} is not {unit} or a unit below it",
                {"unit": named}))


def _check_people(deps: Deps, tx: Tx, flow: FlowSpec, unit: str, parsed: ParsedList) -> None:
    if flow.nominee == "collective":
        _check_units(deps, tx, flow, unit, parsed)
    logins = [e.person for e in parsed.entries if e.person]
    people = tx.directory.people(logins)
    tree = deps.tree(tx)
    here = {unit} | tree.descendants(unit)
    known: list[str] | None = None
    for entry in parsed.entries:
        if entry.person is None:
            continue
        person = people.get(entry.person)
        if person is None:
            if known is None:
                known = tx.directory.logins()
            parsed.problem(entry.row, PERSON, Reason(
                "person.unknown", f"no person {entry.person!r} in the directory"
                f"{suggest(entry.person, known)}", {"person": entry.person}))
            continue
        if entry.nominee and items.name_key(entry.nominee) != items.name_key(person["name"]):
            # nobody's name or workplace is said in a refusal: the sender learns nothing
            # about people outside their unit from the directory
            parsed.problem(entry.row, NOMINEE, Reason(
                "list.not_the_person", f"{entry.nominee!r} is not the name the directory has "
                f"for {entry.person!r}", {"nominee": entry.nominee, "person": entry.person}))
        works_at = person.get("unit_id")
        if works_at and works_at not in here:
            parsed.problem(entry.row, PERSON, Reason(
                "list.works_elsewhere", f"{entry.person} does not work at {unit} or a unit "
                "below it", {"person": entry.person, "units": [unit]}))
    _check_eligibility(deps, tx, flow, parsed, people, unit)


def _check_eligibility(deps: Deps, tx: Tx, flow: FlowSpec, parsed: ParsedList,
                       people: dict[str, dict[str, Any]], unit: str) -> None:
    codes = list(dict.fromkeys(str(g.arg) for t in flow.transitions for g in t.require
                               if g.name == "eligible"))
    awards = [(c, deps.definitions.catalogue.get(c)) for c in codes]
    rules = [(code, award) for code, award in awards if award is not None and award.rule]
    if not rules:
        return
    pending = _in_progress(deps, tx, [e.person for e in parsed.entries
                                      if e.person in people])
    calendar = deps.calendar(flow)
    this_year = calendar.local_date(deps.now()).year
    # a row with a problem cannot be judged (its values are not what was meant), nor can any
    # row when a column is missing or given twice
    troubled = {p.row for p in parsed.problems}
    if not parsed.columns_ok:
        return
    for entry in parsed.entries:
        if entry.row in troubled:
            continue
        year = entry.values.get("year")
        year = year if isinstance(year, int) else this_year
        for code, award in rules:
            collective = (entry.nominee_unit or unit) if flow.nominee == "collective" else None
            history: tuple[HistoryEntry, ...] = ()
            if collective is not None:
                history = tuple(tx.grants.unit_history(collective))
            elif entry.person is None:
                if reads_history(award):
                    parsed.problem(entry.row, PERSON, Reason(
                        "list.needs_person", f"{code} is granted on the nominee's history: "
                        "give their login (person)", {"award": code}))
                    continue
            elif entry.person not in people:
                continue  # already reported
            else:
                history = (*tx.directory.history(entry.person), *pending.get(entry.person, ()))
            # a cluster's ranking may close after the list is sent: only what fails anyway
            reason = award.check(Facts(
                history=deps.definitions.catalogue.counted(history), fields=entry.values,
                year=year, kind=flow.nominee, leads_cluster=lambda: True))
            if reason is not None:
                _ineligible(parsed, entry, code, reason)


def _ineligible(parsed: ParsedList, entry: Entry, code: str, reason: Reason) -> None:
    key = PERSON if entry.person else NOMINEE
    parsed.problem(entry.row, key, Reason(
        "list.not_eligible", f"not eligible for {code}: {reason.text}",
        {"award": code, "reason": reason}))


def _in_progress(deps: Deps, tx: Tx, logins: list[str | None]
                 ) -> dict[str, list[HistoryEntry]]:
    """The awards people may still receive: one per nomination of theirs in progress."""
    out: dict[str, list[HistoryEntry]] = {}
    for row in tx.items.open_of([x for x in logins if x]):
        spec = deps.compiled(tx, row.flow_version).spec
        assert row.person_login is not None
        out.setdefault(row.person_login, []).append(HistoryEntry(
            spec.award, nomination_year(row, deps.calendar(spec)), spec.ad_hoc, "pending"))
    return out
