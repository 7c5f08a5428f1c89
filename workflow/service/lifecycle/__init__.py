"""State behaviours: one class per kind of state, each with enter / exit / view (and resume,
as an enter with what a hold paused).

::

    Timed           any state with an SLA, escalation steps or a notice window
    Vote            ballot rounds                Notice         public notice windows
    Confirmations   parallel sign-offs           Hold           paused items
    Grant           the award in the register, under a numbered decision
    RenderOnEntry   documents on entry (a decision state's copy names its decision)

:func:`behaviours` gives those that apply to a state, in the order they act. To add a kind
of state, write one class and list it in :data:`ALL`.
"""

from __future__ import annotations

from workflow.flow import StateSpec
from workflow.service.lifecycle.base import Behaviour, Entry, Render, Step
from workflow.service.lifecycle.decision import Grant
from workflow.service.lifecycle.notice import Notice
from workflow.service.lifecycle.simple import Confirmations, Hold, RenderOnEntry
from workflow.service.lifecycle.timed import Timed
from workflow.service.lifecycle.vote import Vote

__all__ = ["ALL", "Behaviour", "Entry", "Render", "Step", "behaviours"]

#: every behaviour, in the order they act on entry
ALL: tuple[Behaviour, ...] = (Timed(), Vote(), Notice(), Confirmations(), Hold(), Grant(),
                              RenderOnEntry())


#: the behaviours of each state seen, by the spec's identity (a spec is immutable; the entry
#: keeps it alive so its id is not reused): asked twice in every move
_SEEN: dict[int, tuple[StateSpec, tuple[Behaviour, ...]]] = {}


def behaviours(state: StateSpec) -> tuple[Behaviour, ...]:
    seen = _SEEN.get(id(state))
    if seen is not None and seen[0] is state:
        return seen[1]
    found = tuple(b for b in ALL if b.applies(state))
    if len(_SEEN) >= 4096:  # flows reloaded many times in one process: start again
        _SEEN.clear()
    _SEEN[id(state)] = (state, found)
    return found
