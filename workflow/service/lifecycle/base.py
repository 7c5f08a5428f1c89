"""The vocabulary of state behaviours: what a behaviour is handed, and what it hands back.

A :class:`Behaviour` is what one kind of state does when an item enters it, leaves it, comes
back to it from a hold, and what it adds to the item's view. It never moves the item itself:
it returns :class:`Step` s — the moves the engine should make next — and
:mod:`workflow.service.moves` makes them, one after another (a queue, never recursion).

Above :mod:`workflow.service.base`, :mod:`~workflow.service.access` and
:mod:`~workflow.service.present` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.flow import FlowSpec, StateSpec
from workflow.service.base import Actor, Deps
from workflow.store import NominationRow, Tx

__all__ = ["Behaviour", "Entry", "Render", "Step"]


@dataclass(frozen=True)
class Render:
    """Documents to render (and audit) for the item once a step has moved it."""

    templates: tuple[str, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """A move to make: fire ``trigger`` (declared, or one of the engine's internal ones) as
    ``actor``, audited as ``action`` with ``payload``. ``dest`` is given when the caller has
    already asked the machine (and its guards); ``resume`` carries what a hold paused;
    ``after`` renders documents once the item has moved (a round's minutes)."""

    trigger: str
    actor: Actor
    action: str = "fired"
    payload: Mapping[str, Any] = field(default_factory=dict)
    dest: str | None = None
    resume: Mapping[str, Any] | None = None
    after: tuple[Render, ...] = ()


@dataclass
class Entry:
    """An item in (or leaving) one of its states, with what behaviours need to act on it."""

    deps: Deps
    tx: Tx
    item: NominationRow
    flow: FlowSpec
    #: the step that moved the item here (None: a new item, or a state entered again)
    cause: Step | None = None

    @property
    def state(self) -> StateSpec:
        return self.flow.states[self.item.state]


class Behaviour:
    """The default: a state that does nothing on entry or exit (a plain task)."""

    def applies(self, state: StateSpec) -> bool:
        return False

    def enter(self, entry: Entry, resume: Mapping[str, Any] | None) -> list[Step]:
        """The item has just entered ``entry.state`` (``resume``: back from a hold)."""
        return []

    def exit(self, entry: Entry, leaving_for: StateSpec) -> None:
        """The item is about to leave ``entry.state`` for ``leaving_for``."""

    def view(self, entry: Entry) -> dict[str, Any]:
        """What this kind of state adds to the item's detail (keys of ``award show``)."""
        return {}
