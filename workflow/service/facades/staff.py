"""For signed-in staff on the web: an item with what they may do, their lists, the
nomination form, the objections they examine. Every read checks that the person holds a role
at the item's unit or above (:mod:`workflow.service.access`)."""

from __future__ import annotations

from typing import Any

from workflow.errors import NotFound
from workflow.flow import FlowSpec
from workflow.flow.io import describe
from workflow.service import access
from workflow.service.base import Actor, Deps, load
from workflow.service.lifecycle import Entry
from workflow.service.lifecycle.vote import round_view
from workflow.service.present import fold, item_summary
from workflow.service.queries import available, item_detail, open_objections
from workflow.store import Tx

__all__ = ["NAME_SCAN", "Staff", "fold"]

NAME_SCAN = 5_000  # items one name search reads before it hands back a cursor


class Staff:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def check_visible(self, actor: Actor, nomination_id: str) -> None:
        """NotFound, or PermissionDenied unless ``actor`` holds a role at the item's unit or a
        unit above it (so an interface refuses a stranger before saying anything about the
        item's state)."""
        def work(tx: Tx) -> None:
            item, _machine = load(self._deps, tx, nomination_id)
            access.check_sees(self._deps, tx, actor, item)

        self._deps.run(work)

    def item_view(self, actor: Actor, nomination_id: str) -> dict[str, Any]:
        """``show`` for a person who holds a role at the item's unit or above (else
        PermissionDenied), with what they may do now and the flow's labels as the item's
        pinned version has them."""
        deps = self._deps

        def work(tx: Tx) -> dict[str, Any]:
            item, machine = load(deps, tx, nomination_id)
            flow = machine.spec
            access.check_sees(deps, tx, actor, item)

            def examines(notice_id: int | None) -> bool:
                return access.may_resolve(deps, tx, actor, item, flow, notice_id)[0]

            data = item_detail(deps, tx, item, flow, examines)
            data["spec"] = describe(flow)
            data["unit_name"] = getattr(deps.tree(tx).units.get(item.unit_id), "name",
                                        item.unit_id)
            data["actions"] = available(deps, tx, actor, item, flow)
            # documents and details change together, by the proposers, until submission
            data["dossier_open"] = not item.final and access.dossier_open(flow, item.state)
            data["may_attach"] = data["may_edit"] = data["dossier_open"] and access.holds_any(
                deps, tx, actor, access.proposer_roles(flow), item.unit_id)
            data["field_form"] = field_form(flow)
            catalogue = deps.definitions.catalogue
            for objection in data["objections"]:  # examined by the body that published it
                objection["may_resolve"] = (objection["status"] == "open"
                                            and examines(objection["notice"]))
                # the one extension the law allows, to whoever may resolve it, once
                kind = catalogue.objection_kind(objection["kind"])
                objection["may_extend"] = (objection["may_resolve"] and not objection["extended"]
                                           and kind is not None and kind.extension > 0)
                objection["extension_days"] = kind.extension if kind is not None else 0
            granted = bool(data.get("grant")) and data["grant"]["status"] == "granted"
            data["may_complain"] = (not item.final or granted) and access.is_staff(
                deps, tx, actor, item)
            data["may_audit"] = access.sees(deps, tx, actor, item.unit_id, "auditor")
            data["round"] = round_view(Entry(deps, tx, item, flow), actor)
            data["people"] = tx.directory.names(_logins(data))
            return data

        return deps.run(work)

    def items_for(self, actor: Actor, *, state: str | None = None, flow: str | None = None,
                  before: int | None = None, limit: int = 100,
                  steps: list[tuple[str, str]] | None = None, unit: str | None = None,
                  year: int | None = None, name: str | None = None
                  ) -> tuple[dict[str, Any], ...]:
        """Items at the units where ``actor`` holds a role or below, newest first.

        ``steps`` keeps items at one of these ``(flow, state)`` pairs, ``unit`` those of that
        unit and the units below it, ``year`` those whose ``year`` field is that year, and
        ``name`` those whose nominee's name contains it (case and Vietnamese diacritics
        aside, so "nguyen van an" finds "Nguyễn Văn An"). A name is matched here, not by the
        database (neither store folds diacritics), over at most :data:`NAME_SCAN` items per
        call; the last summary then carries ``"scanned_to"``: page on from there."""
        deps = self._deps

        def work(tx: Tx) -> tuple[dict[str, Any], ...]:
            units = access.reach(deps, tx, actor)
            if unit is not None:
                tree = deps.tree(tx)
                below = ({unit} | tree.descendants(unit)) if unit in tree.units else set()
                units = tuple(u for u in units if u in below)
            if not units:
                return ()
            now = deps.now()
            wanted = fold(name) if name else ""
            out: list[dict[str, Any]] = []
            cursor, scanned = before, 0
            while len(out) < limit:
                size = limit if not wanted else 500
                rows = tx.items.newest(units=units, before_id=cursor, limit=size, state=state,
                                       flow=flow, steps=steps, year=year)
                for row in rows:
                    if not wanted or wanted in fold(row.nominee):
                        out.append(item_summary(deps, row, now))
                        if len(out) == limit:
                            break
                scanned += len(rows)
                if len(rows) < size or not wanted or len(out) == limit:
                    break
                cursor = rows[-1].id
                if scanned >= NAME_SCAN:
                    out.append({"scanned_to": str(cursor)})
                    break
            return tuple(out)

        return deps.run(work)

    def units_of(self, actor: Actor) -> list[dict[str, str]]:
        """The units ``actor`` sees items of (where they hold a role, and below), by name."""
        deps = self._deps

        def work(tx: Tx) -> list[dict[str, str]]:
            tree = deps.tree(tx)
            return sorted(({"id": u, "name": tree.units[u].name}
                           for u in access.reach(deps, tx, actor) if u in tree.units),
                          key=lambda u: (fold(u["name"]), u["id"]))

        return deps.run(work)

    def nomination_options(self, actor: Actor) -> tuple[dict[str, Any], ...]:
        """The flows ``actor`` may start, each with the units they may nominate at and the
        flow's fields and document types (what a nomination form needs)."""
        deps = self._deps

        def work(tx: Tx) -> tuple[dict[str, Any], ...]:
            tree = deps.tree(tx)
            held = set(tx.directory.roles_of(actor.login))
            reach = access.reach(deps, tx, actor)
            out: list[dict[str, Any]] = []
            for spec in sorted(deps.definitions.flows.values(), key=lambda f: f.id):
                roles = access.proposer_roles(spec)
                units = [u for u in reach if any(
                    (ref.role, tree.resolve(u, ref.scope)) in held for ref in roles)]
                if not units:
                    continue
                # a collective flow nominates one of those units or a unit below one
                below = sorted({u for unit in units for u in (unit, *tree.descendants(unit))}
                               ) if spec.nominee == "collective" else []
                out.append({
                    "id": spec.id, "title": dict(spec.title), "award": spec.award,
                    "nominee": spec.nominee, "description": dict(spec.description),
                    "units": [{"id": u, "name": tree.units[u].name} for u in units],
                    "nominee_units": [{"id": u, "name": tree.units[u].name} for u in below],
                    "fields": field_form(spec),
                    "documents": {name: dict(d.label) for name, d in spec.documents.items()},
                })
            return tuple(out)

        return deps.run(work)

    def nominee_choices(self, actor: Actor, flow_id: str, unit: str, query: str = "",
                        chosen: str | None = None, limit: int = 20) -> dict[str, Any]:
        """The people a nomination at ``unit`` may name (who work there or below, or hold a
        role there), matched by name or login as people search (``query``; diacritics and
        case aside), at most ``limit`` with ``more`` when there are others; ``chosen`` is
        listed too if it is one of them. Only for someone who may nominate there."""
        deps = self._deps
        flow = deps.definitions.flow(flow_id)

        def work(tx: Tx) -> dict[str, Any]:
            tree = deps.tree(tx)
            if unit not in tree:
                raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown",
                               unit=unit)
            access.authorize(deps, tx, actor, access.proposer_roles(flow), unit,
                             f"nominate in {flow.id!r} at {unit}")
            words = fold(query).split()

            def matches(person: dict[str, Any]) -> bool:
                # each word searched begins a word of the name (or the login): "an" finds
                # Nguyễn Văn An, not every Văn
                parts = [*fold(person["name"]).split(), person["login"]]
                return all(any(p.startswith(w) for p in parts) for w in words)

            found: list[dict[str, Any]] = []
            more = False
            pinned = None
            for person in tx.directory.people_at(sorted({unit} | tree.descendants(unit))):
                if person["login"] == chosen:
                    pinned = person
                if matches(person):
                    if len(found) == limit:
                        more = True
                        continue
                    found.append(person)
            if pinned is not None and pinned not in found:
                found.insert(0, pinned)
            for person in found:
                works = tree.units.get(person.pop("unit_id") or "")
                person["unit"] = works.id if works else None
                person["unit_name"] = works.name if works else None
            return {"people": found, "more": more}

        return deps.run(work)

    def objections_to_resolve(self, actor: Actor, limit: int = 200
                              ) -> tuple[dict[str, Any], ...]:
        """Open objections ``actor`` examines as secretariat, oldest first, without the
        objector's personal data."""
        return tuple(self._deps.run(lambda tx: open_objections(self._deps, tx, actor, limit)))


def field_form(flow: FlowSpec) -> list[dict[str, Any]]:
    """A flow's fields as a form needs them (type, labels, bounds, allowed values)."""
    return [{"name": f.name, "type": f.type, "required": f.required, "label": dict(f.label),
             "values": list(f.values),
             "value_labels": {v: dict(label) for v, label in f.value_labels.items()},
             "min": f.min, "max": f.max, "max_length": f.max_length}
            for f in flow.fields.values()]


def _logins(view: dict[str, Any]) -> set[str]:
    """Everyone an item's page names by login: who created, attached, acted, resolved."""
    logins: set[Any] = {view["created_by"]}
    for entry in view["history"]:
        logins.add(entry["actor"])
        payload = entry.get("payload")
        if isinstance(payload, dict):
            logins |= {payload.get("member"), payload.get("recorded_by")}
            recipients = payload.get("recipients")
            if isinstance(recipients, list):
                logins |= {r for r in recipients if isinstance(r, str)}
    logins |= {d["by"] for d in view["documents"]}
    logins |= {o["resolved_by"] for o in view["objections"] if o.get("resolved_by")}
    logins |= {c["actor"] for c in view.get("confirmations", []) if c.get("actor")}
    return {login for login in logins if isinstance(login, str)}
