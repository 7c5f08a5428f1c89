"""The one place an item changes state.

:func:`apply` makes a :class:`~workflow.service.lifecycle.Step` and every step the states'
behaviours hand back, one after another from a queue (never nested): the machine names the
destination (its guards refuse with a reason); the old state's behaviours exit (timers
cancelled, an open round abandoned); the row is saved by compare-and-set (a stale
``version`` raises :class:`~workflow.errors.Conflict`); the move is audited; the new state's
behaviours enter (timers, a ballot round, a public notice, rendered documents, the award in
the nominee's history) and may return further steps; the step's own documents are rendered.
Everything commits together, in the caller's unit of work.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from workflow.flow import FlowSpec
from workflow.service.base import Deps, ItemContext
from workflow.service.lifecycle import Entry, Step, behaviours
from workflow.service.lifecycle.render import store_rendered
from workflow.service.lifecycle.timed import due_at
from workflow.store import NominationRow, Tx

__all__ = ["Moved", "apply", "enter"]


@dataclass(frozen=True)
class Moved:
    from_state: str
    to_state: str
    seq: int


def apply(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, *steps: Step
          ) -> list[Moved]:
    """Make ``steps`` and the steps that follow from them; what moved, in order."""
    queue = deque(steps)
    moved: list[Moved] = []
    while queue:
        step = queue.popleft()
        moved.append(_move(deps, tx, item, flow, step, queue))
        for render in step.after:
            store_rendered(deps, tx, item, flow, render.templates, item.state, render.extra)
    return moved


def _move(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, step: Step,
          queue: deque[Step]) -> Moved:
    dest = step.dest
    if dest is None:
        machine = deps.compiled(tx, item.flow_version)
        dest = machine.fire(item.state, step.trigger, ItemContext(deps, tx, item, flow))
    now = deps.now()
    source = item.state
    new = flow.states[dest]
    expected = item.version
    leaving = Entry(deps, tx, item, flow)
    for behaviour in behaviours(flow.states[source]):
        behaviour.exit(leaving, new)

    item.state = dest
    item.entered_at = now
    item.entry_no += 1
    item.final = new.final
    item.outcome = new.outcome
    item.due_at = due_at(deps, flow, new, now, step.resume)
    tx.items.save(item, expected)

    entry = tx.audit.append(now, step.actor.login, step.action, item.id, source, dest,
                            {"flow_version": flow.version, **step.payload})
    tx.events.append(("moved", {"flow": flow.id, "trigger": str(step.trigger), "from": source,
                                "to": dest}))
    queue.extend(enter(deps, tx, item, flow, step))
    return Moved(source, dest, entry.seq)


def enter(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, step: Step | None = None
          ) -> list[Step]:
    """The behaviours of the item's current state act on entry; the steps they ask for."""
    arriving = Entry(deps, tx, item, flow, step)
    resume = step.resume if step is not None else None
    follow: list[Step] = []
    for behaviour in behaviours(arriving.state):
        follow.extend(behaviour.enter(arriving, resume))
    return follow
