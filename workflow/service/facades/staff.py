"""For signed-in staff on the web: an item with what they may do, their lists, the
nomination form, the objections they examine. Every read checks that the person holds a role
at the item's unit or above (:mod:`workflow.service.access`)."""

from __future__ import annotations

from typing import Any

from workflow.flow.io import describe
from workflow.service import access
from workflow.service.base import Actor, Deps, load
from workflow.service.present import item_summary
from workflow.service.queries import available, item_detail, open_objections
from workflow.store import Tx

__all__ = ["Staff"]


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
            data = item_detail(deps, tx, item, flow)
            data["spec"] = describe(flow)
            data["unit_name"] = getattr(deps.tree(tx).units.get(item.unit_id), "name",
                                        item.unit_id)
            data["actions"] = available(deps, tx, actor, item, flow)
            data["may_attach"] = not item.final and access.holds_any(
                deps, tx, actor, access.editor_roles(flow, item.state), item.unit_id)
            for objection in data["objections"]:  # examined by the body that published it
                objection["may_resolve"] = objection["status"] == "open" and access.may_resolve(
                    deps, tx, actor, item, flow, objection["notice"])[0]
            data["may_complain"] = not item.final and access.is_staff(deps, tx, actor, item)
            data["may_audit"] = access.sees(deps, tx, actor, item.unit_id, "auditor")
            return data

        return deps.run(work)

    def items_for(self, actor: Actor, *, state: str | None = None, flow: str | None = None,
                  before: int | None = None, limit: int = 100
                  ) -> tuple[dict[str, Any], ...]:
        """Items at the units where ``actor`` holds a role or below, newest first."""
        deps = self._deps

        def work(tx: Tx) -> tuple[dict[str, Any], ...]:
            units = access.reach(deps, tx, actor)
            if not units:
                return ()
            now = deps.now()
            rows = tx.items.newest(units=units, before_id=before, limit=limit, state=state,
                                   flow=flow)
            return tuple(item_summary(deps, row, now) for row in rows)

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
                out.append({
                    "id": spec.id, "title": dict(spec.title), "award": spec.award,
                    "nominee": spec.nominee, "description": dict(spec.description),
                    "units": [{"id": u, "name": tree.units[u].name} for u in units],
                    "fields": [{"name": f.name, "type": f.type, "required": f.required,
                                "label": dict(f.label), "values": list(f.values),
                                "min": f.min, "max": f.max, "max_length": f.max_length}
                               for f in spec.fields.values()],
                    "documents": {name: dict(d.label) for name, d in spec.documents.items()},
                })
            return tuple(out)

        return deps.run(work)

    def objections_to_resolve(self, actor: Actor, limit: int = 200
                              ) -> tuple[dict[str, Any], ...]:
        """Open objections ``actor`` examines as secretariat, oldest first, without the
        objector's personal data."""
        return tuple(self._deps.run(lambda tx: open_objections(self._deps, tx, actor, limit)))
