"""Flow versions: naming one (hash prefix, ``stored``, ``current``) and moving in-flight items
to another (``award flows migrate``).

A migration is all or nothing, in one unit of work: every in-flight item of the flow is
planned first (its state mapped by name or ``--map OLD=NEW``; its timers recomputed for the
new SLA from the *original* entry time; an open ballot round, a published notice window or
confirmations already signed carried when the new version keeps them as they were); a single
refusal refuses the whole migration and nothing moves. Each moved item gets one ``migrated``
audit entry naming both versions. A dry run returns the same plan without writing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflow.errors import InvalidInput, NotFound
from workflow.flow import FlowSpec, StateSpec
from workflow.service.base import Deps
from workflow.service.lifecycle.timed import step_due
from workflow.service.lifecycle.vote import rule_of
from workflow.store import NominationRow, Tx

__all__ = ["MigrationPlan", "flow_versions", "migrate", "parse_maps", "resolve_version"]

CURRENT, STORED = "current", "stored"


def flow_versions(deps: Deps, tx: Tx, flow_id: str) -> list[dict[str, Any]]:
    """Every known version of a flow, oldest first: those the database keeps (an item
    started on each) and the one in the files now (``current``)."""
    current = deps.definitions.flows.get(flow_id)
    stored = tx.flows.versions(flow_id)
    if current is None and not stored:
        deps.definitions.flow(flow_id)  # NotFound (or the file's problems) with the flows known
    out = [{"version": v, "path": path, "stored_at": deps.iso(at),
            "current": current is not None and v == current.version, "stored": True}
           for v, path, at in stored]
    if current is not None and not any(o["current"] for o in out):
        out.append({"version": current.version, "path": current.path, "stored_at": None,
                    "current": True, "stored": False})
    return out


def resolve_version(deps: Deps, tx: Tx, flow_id: str, ref: str) -> FlowSpec:
    """The version ``ref`` names: ``current`` (the file now), ``stored`` (the newest version
    the database keeps), or a unique prefix of a version hash."""
    versions = flow_versions(deps, tx, flow_id)
    ref = ref.strip().lower()
    if ref == CURRENT:
        return deps.definitions.flow(flow_id)
    if ref == STORED:
        kept = [v for v in versions if v["stored"]]
        if not kept:
            raise NotFound(f"flow {flow_id!r} has no stored version yet (no item has started "
                           "on it)", msgid="flow.none_stored", flow=flow_id)
        return deps.compiled(tx, kept[-1]["version"]).spec
    matches = [v["version"] for v in versions if ref and v["version"].startswith(ref)]
    if len(matches) > 1:
        raise InvalidInput(f"version {ref!r} of {flow_id} is ambiguous: it begins "
                           f"{', '.join(m[:12] for m in matches)}; give more of it",
                           msgid="flow.version_ambiguous", values={"version": ref},
                           flow=flow_id)
    if not matches:
        known = ", ".join(v["version"][:12] for v in versions)
        raise NotFound(f"flow {flow_id} has no version {ref!r}; versions: {known} (or "
                       "stored, current)", msgid="flow.version_none",
                       values={"version": ref}, flow=flow_id)
    return deps.compiled(tx, matches[0]).spec


def parse_maps(maps: Sequence[str]) -> dict[str, str]:
    """``OLD=NEW`` pairs as a mapping; a malformed or repeated one is an error."""
    out: dict[str, str] = {}
    for text in maps:
        old, sep, new = text.partition("=")
        old, new = old.strip(), new.strip()
        if not sep or not old or not new:
            raise InvalidInput(f"--map {text!r}: write OLD=NEW (state names)",
                               msgid="migrate.bad_map", values={"map": text})
        if old in out and out[old] != new:
            raise InvalidInput(f"--map {old}= is given twice ({out[old]}, {new})",
                               msgid="migrate.map_twice", values={"state": old})
        out[old] = new
    return out


@dataclass
class Move:
    """What happens to one item."""

    item: NominationRow
    source: FlowSpec
    to_state: str | None = None
    due_at: datetime | None = None
    steps: list[tuple[int, datetime]] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    refused: str | None = None


@dataclass
class MigrationPlan:
    flow: str
    target: FlowSpec
    moves: list[Move]
    unchanged: int  # items already on the target version

    @property
    def refused(self) -> list[Move]:
        return [m for m in self.moves if m.refused]

    def as_dict(self, deps: Deps, dry_run: bool) -> dict[str, Any]:
        return {
            "flow": self.flow, "to": self.target.version, "dry_run": dry_run,
            "ok": not self.refused, "moved": 0 if dry_run or self.refused else len(self.moves),
            "unchanged": self.unchanged,
            "items": [{
                "id": str(m.item.id), "from_version": m.item.flow_version,
                "state": m.item.state, "to_state": m.to_state,
                "entered_at": deps.iso(m.item.entered_at),
                "due_at": deps.iso(m.due_at) if not m.refused else None,
                "timers": [{"step": s, "due_at": deps.iso(d)} for s, d in m.steps],
                "carried": m.carried, "refused": m.refused}
                for m in self.moves],
        }


def _type(state: StateSpec) -> str:
    return "final" if state.final else state.type


def _plan_item(deps: Deps, tx: Tx, move: Move, target: FlowSpec, maps: Mapping[str, str]
               ) -> None:
    item, source = move.item, move.source
    name = maps.get(item.state, item.state if item.state in target.states else None)
    if name is None:
        move.refused = (f"state {item.state!r} has no counterpart in {target.version[:12]}; "
                        f"give --map {item.state}=STATE (states: {', '.join(target.states)})")
        return
    move.to_state = name
    old, new = source.states[item.state], target.states[name]
    if item.hold_data is not None or old.type == "hold":
        move.refused = "on hold for objections: resolve them first, then migrate"
        return
    if _type(old) != _type(new):
        move.refused = (f"{item.state!r} is a {_type(old)} state and {name!r} a {_type(new)} "
                        "state: an item moves only between states of the same kind")
        return
    if old.vote and new.vote:
        current = tx.ballots.latest(item.id)
        if current is not None and current.status == "open":
            if (old.vote.council, old.vote.secret) != (new.vote.council, new.vote.secret) or \
                    rule_of(old) != rule_of(new):
                move.refused = (f"a ballot round is open under {rule_of(old)}; the new vote is "
                                f"{rule_of(new)} (council {new.vote.council}, secret "
                                f"{new.vote.secret}): close the round first")
                return
            move.carried.append(f"ballot round {current.id}")
    if old.notice and new.notice:
        ends = tx.timers.window_due(item.id, item.entry_no)
        if (old.notice.amount, old.notice.working, old.notice.publisher) != (
                new.notice.amount, new.notice.working, new.notice.publisher):
            move.refused = (f"its public notice is published with a window of "
                            f"{old.notice.amount} {'working ' if old.notice.working else ''}days"
                            f"{' ending ' + str(deps.iso(ends)) if ends else ''}; the new "
                            f"version's window is {new.notice.amount} "
                            f"{'working ' if new.notice.working else ''}days by "
                            f"{new.notice.publisher}: let the window end first")
            return
        move.carried.append("notice window")
    if old.confirmations and new.confirmations:
        signed = [row[0] for row in tx.confirmations.of(item.id, item.entry_no)]
        lost = [k for k in signed if new.confirmations.roles_for(k) is None]
        if lost:
            move.refused = (f"confirmations {', '.join(lost)} are signed but the new version "
                            f"asks for {', '.join(new.confirmations.keys)}")
            return
        if signed:
            move.carried.append(f"confirmations {', '.join(signed)}")
    if new.sla is not None:
        calendar = deps.calendar(target)
        move.due_at = calendar.due(item.entered_at, new.sla.amount, working=new.sla.working)
        done = tx.timers.steps_done(item.id, item.entry_no)
        move.steps = [(step.index, step_due(calendar, item.entered_at, new.sla, step))
                      for step in new.escalate if step.index not in done]


def plan_migration(deps: Deps, tx: Tx, flow_id: str, to: str, maps: Mapping[str, str]
                   ) -> MigrationPlan:
    target = resolve_version(deps, tx, flow_id, to)
    bad = {old: new for old, new in maps.items() if new not in target.states}
    if bad:
        old, new = next(iter(bad.items()))
        raise InvalidInput(f"--map {old}={new}: {target.version[:12]} has no state {new!r}; "
                           f"states: {', '.join(target.states)}", msgid="migrate.map_unknown",
                           values={"state": new})
    moves: list[Move] = []
    unchanged = 0
    for item in tx.items.in_flight(flow_id):
        if item.flow_version == target.version:
            unchanged += 1
            continue
        move = Move(item, deps.compiled(tx, item.flow_version).spec)
        _plan_item(deps, tx, move, target, maps)
        moves.append(move)
    return MigrationPlan(flow_id, target, moves, unchanged)


def migrate(deps: Deps, tx: Tx, actor: str, flow_id: str, to: str, maps: Mapping[str, str],
            dry_run: bool) -> dict[str, Any]:
    """Plan, and unless ``dry_run`` or refused, move every in-flight item; the plan as data
    (``ok`` false when refused: nothing moved, each refused item says why)."""
    plan = plan_migration(deps, tx, flow_id, to, maps)
    result = plan.as_dict(deps, dry_run)
    if plan.refused or dry_run:
        return result
    now = deps.now()
    target = plan.target
    tx.flows.keep(target.version, target.id, target.path, target.source, now)
    for move in plan.moves:
        item = move.item
        assert move.to_state is not None
        before_state, before_version = item.state, item.flow_version
        tx.timers.cancel_steps(item.id)
        tx.timers.add(item.id, item.entry_no, [("step", s, d) for s, d in move.steps])
        if before_state != move.to_state:
            current = tx.ballots.latest(item.id)
            if current is not None and current.status == "open":
                tx.ballots.move_round(current.id, move.to_state)
        item.state = move.to_state
        item.due_at = move.due_at
        tx.items.save(item, item.version)
        tx.items.repin(item.id, target.version)
        tx.audit.append(now, actor, "migrated", item.id, before_state, move.to_state, {
            "flow": flow_id, "from_version": before_version, "to_version": target.version,
            "due_at": deps.iso(move.due_at), "timers": len(move.steps),
            "carried": move.carried})
    result["moved"] = len(plan.moves)
    return result
