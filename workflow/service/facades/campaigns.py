"""Emulation campaigns (SPEC §10.7): what the files say, who registered, cluster rankings,
reminders and the campaign review. Reading a campaign is public (it is a public launch);
results — who registered, rankings — are public once the campaign is closed and otherwise
shown to people with a role in the campaign's scope."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from workflow.campaign import CampaignSpec
from workflow.errors import NotFound
from workflow.service import access
from workflow.service.base import Actor, Deps
from workflow.service.campaign_report import campaign_outcomes, campaign_report
from workflow.service.commands import campaigns as commands
from workflow.store import Tx

__all__ = ["Campaigns"]


class Campaigns:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def _spec(self, campaign_id: str) -> CampaignSpec:
        return self._deps.definitions.campaign(campaign_id)

    # ---- reading ---------------------------------------------------------------------------

    def all(self) -> dict[str, Any]:
        """Every campaign with its phase, and the files that did not load (with problems)."""
        deps = self._deps
        return {
            "campaigns": [self._summary(spec) for spec in sorted(
                deps.definitions.campaigns.values(), key=lambda s: (s.start, s.id))],
            "broken": {path: [str(p) for p in error.problems]
                       for path, error in deps.definitions.broken_campaigns.items()},
        }

    def _summary(self, spec: CampaignSpec) -> dict[str, Any]:
        deps = self._deps
        calendar = deps.definitions.calendar(spec.calendar)
        return {"id": spec.id, "title": spec.title, "kind": spec.kind,
                "organiser": spec.organiser, "scope": list(spec.scope),
                "from": spec.start.isoformat(), "to": spec.end.isoformat(),
                "registration_until": spec.registration_until.isoformat(),
                "registration_closes": deps.iso(spec.registration_closes(calendar)),
                "phase": commands.phase(deps, spec), "awards": list(spec.awards)}

    def show(self, campaign_id: str, actor: Actor | None = None) -> dict[str, Any]:
        """The campaign, its scope and clusters with names; registration progress and
        cluster results for staff in scope, and for everyone once it is closed."""
        deps = self._deps
        spec = self._spec(campaign_id)

        def work(tx: Tx) -> dict[str, Any]:
            tree = deps.tree(tx)
            calendar = deps.definitions.calendar(spec.calendar)

            def name(unit: str) -> str:
                entry = tree.units.get(unit)
                return entry.name if entry else unit

            catalogue = deps.definitions.catalogue
            reminder = spec.reminder_day(calendar)
            data: dict[str, Any] = self._summary(spec) | {
                "description": spec.description, "basis": spec.basis,
                "organiser_name": name(spec.organiser),
                "scope_names": [{"id": u, "name": name(u)} for u in spec.scope],
                "unknown_units": [u for u in spec.units_named() if u not in tree],
                "award_titles": [{"code": a, "title": dict(getattr(catalogue.get(a), "title",
                                                                   {}) or {"vi": a})}
                                 for a in spec.awards],
                "reviews": {"so_ket": spec.so_ket.isoformat() if spec.so_ket else None,
                            "tong_ket": spec.tong_ket.isoformat()},
                "reminder_day": reminder.isoformat() if reminder else None,
                "clusters": [{"id": c.id, "title": c.title, "flag": c.flag,
                              "members": [{"id": m, "name": name(m)} for m in c.members]}
                             for c in spec.clusters],
            }
            data["staff"] = actor is not None and not actor.public and (
                access.sees(deps, tx, actor, spec.organiser)
                or bool(set(access.reach(deps, tx, actor))
                        & set(commands.scope_units(deps, tx, spec))))
            data["rounds"] = []
            if data["staff"] or data["phase"] == "closed":
                data["progress"] = self._progress(tx, spec)
                data["rounds"] = self._rounds(tx, spec)
            return data

        return deps.run(work)

    def _progress(self, tx: Tx, spec: CampaignSpec) -> dict[str, Any]:
        deps = self._deps
        scope = commands.scope_units(deps, tx, spec)
        regs = tx.campaigns.registrations(spec.id, scope)
        live = [r for r in regs if r.status == "registered"]
        registered = {r.unit_id for r in live}
        expected = [u for u in scope if tx.directory.holders("officer", u)]
        names = {u: e.name for u, e in deps.tree(tx).units.items()}
        return {"registrations": len(live), "units_expected": len(expected),
                "units_registered": len([u for u in expected if u in registered]),
                "missing": [{"id": u, "name": names.get(u, u)}
                            for u in expected if u not in registered],
                "by_award": {a: sum(1 for r in live if r.award == a) for a in spec.awards}}

    def _rounds(self, tx: Tx, spec: CampaignSpec) -> list[dict[str, Any]]:
        deps = self._deps
        out = []
        for row in tx.campaigns.rounds(spec.id):
            roll = tx.campaigns.participation(row.id)
            entry: dict[str, Any] = {"round": str(row.id), "cluster": row.cluster_id,
                     "candidates": row.candidates, "status": row.status,
                     "opened_at": deps.iso(row.opened_at), "closed_at": deps.iso(row.closed_at),
                     "voters": len(roll), "papers": sum(1 for _u, v in roll if v),
                     # who has voted is public (as at a council); how, never
                     "voted": [u for u, v in roll if v]}
            if row.status == "closed" and row.result:
                entry["result"] = row.result
            out.append(entry)
        return out

    def desk(self, actor: Actor, campaign_id: str) -> list[dict[str, Any]]:
        """The units in the campaign's scope where ``actor`` is the officer, each with its
        people (who may be registered) and its registrations: what a registration form
        offers."""
        deps = self._deps
        spec = self._spec(campaign_id)

        def work(tx: Tx) -> list[dict[str, Any]]:
            scope = set(commands.scope_units(deps, tx, spec))
            tree = deps.tree(tx)
            mine = sorted({u for role, u in tx.directory.roles_of(actor.login)
                           if role == "officer" and u in scope})
            if not mine:
                return []
            regs, _unregistered = campaign_outcomes(deps, tx, spec, mine)
            names = tx.directory.names({r["person"] for r in regs if r["person"]})
            out = []
            for unit in mine:
                people = [p for p in tx.directory.people_at([unit])
                          if p["unit_id"] in (None, unit)]
                out.append({"id": unit, "name": tree.units[unit].name,
                            "people": [{"login": p["login"], "name": p["name"]}
                                       for p in people],
                            "registrations": [r | {"person_name": names.get(r["person"] or "",
                                                                            r["person"])}
                                              for r in regs if r["unit"] == unit]})
            return out

        return deps.run(work)

    def registrations(self, campaign_id: str, unit: str | None = None) -> list[dict[str, Any]]:
        """Who registered for what (withdrawn ones too), and what came of it."""
        deps = self._deps
        spec = self._spec(campaign_id)

        def work(tx: Tx) -> list[dict[str, Any]]:
            units = None
            if unit is not None:
                tree = deps.tree(tx)
                if unit not in tree:
                    raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown",
                                   values={"unit": unit}, unit=unit)
                units = [unit, *sorted(tree.descendants(unit))]
            regs, _unregistered = campaign_outcomes(deps, tx, spec, units)
            return regs

        return deps.run(work)

    def report(self, campaign_id: str) -> dict[str, Any]:
        spec = self._spec(campaign_id)
        return self._deps.run(lambda tx: campaign_report(self._deps, tx, spec))

    # ---- acting ----------------------------------------------------------------------------

    def register(self, actor: Actor, campaign_id: str, unit: str, award: str,
                 person: str | None = None) -> dict[str, Any]:
        spec = self._spec(campaign_id)
        return self._deps.run(lambda tx: commands.register(self._deps, tx, actor, spec, unit,
                                                           person, award))

    def withdraw(self, actor: Actor, campaign_id: str, unit: str, award: str,
                 person: str | None = None) -> dict[str, Any]:
        spec = self._spec(campaign_id)
        return self._deps.run(lambda tx: commands.withdraw(self._deps, tx, actor, spec, unit,
                                                           person, award))

    def cluster_open(self, actor: Actor, campaign_id: str, cluster: str,
                     among: list[str] | None = None) -> dict[str, Any]:
        spec = self._spec(campaign_id)
        return self._deps.run(lambda tx: commands.cluster_open(self._deps, tx, actor, spec,
                                                               cluster, among))

    def cluster_vote(self, actor: Actor, campaign_id: str, cluster: str, paper: list[str],
                     unit: str | None = None) -> dict[str, Any]:
        spec = self._spec(campaign_id)
        return self._deps.run(lambda tx: commands.cluster_vote(self._deps, tx, actor, spec,
                                                               cluster, paper, unit))

    def cluster_close(self, actor: Actor, campaign_id: str, cluster: str) -> dict[str, Any]:
        spec = self._spec(campaign_id)
        return self._deps.run(lambda tx: commands.cluster_close(self._deps, tx, actor, spec,
                                                                cluster))

    def remind(self) -> dict[str, int]:
        """Reminders to units not registered yet, for every campaign whose reminder day has
        come (idempotent: each officer is reminded once per campaign and unit)."""
        deps = self._deps
        now = deps.now()
        totals = {"units": 0, "messages": 0}
        for spec in deps.definitions.campaigns.values():
            calendar = deps.definitions.calendar(spec.calendar)
            day = spec.reminder_day(calendar)
            if day is None or now < calendar.start_of_day(day) or now > \
                    spec.registration_closes(calendar):
                continue  # outside its reminder days: no unit of work at all
            counts = deps.run(functools.partial(self._remind, spec, now))
            for key in totals:
                totals[key] += counts[key]
        return totals

    def _remind(self, spec: CampaignSpec, now: datetime, tx: Tx) -> dict[str, int]:
        return commands.remind(self._deps, tx, spec, now)
