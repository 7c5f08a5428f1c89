"""Compiled flows: the only module that imports ``transitions``.

A :class:`CompiledFlow` is built once per flow *version* (the service caches them) with
``auto_transitions=False`` and callables only — never dotted strings, so nothing from a
definition can reach ``importlib``. Every edge of :meth:`FlowSpec.edges` becomes a
``transitions`` trigger: declared transitions under their own names and the engine's implicit
edges (vote pass/fail, notice then, confirmations, hold/resume, upheld objections) under the
``@``-names of :class:`~workflow.flow.INTERNAL`, which a definition cannot spell. Firing
runs the guards as ``transitions`` conditions; ``transitions`` refuses by returning ``False``
or raising ``MachineError``/``AttributeError`` — all three become our own
:class:`~workflow.errors.NotAllowed` / :class:`~workflow.errors.GuardRefused`.

The machine holds no models: each fire uses a throwaway token carrying the current state, so
one compiled machine serves every item of its version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transitions import Machine, MachineError

from workflow.errors import GuardRefused, NotAllowed, Reason
from workflow.flow import FlowSpec, GuardCall, GuardContext, GuardDef, GuardRegistry

__all__ = ["CompiledFlow"]


@dataclass
class _Token:
    state: str


@dataclass
class _Attempt:
    ctx: GuardContext
    refusal: list[tuple[str, Reason]] = field(default_factory=list)


class _Condition:
    """Adapts one guard call to a ``transitions`` condition (called with ``send_event``)."""

    __slots__ = ("call", "guard")

    def __init__(self, guard: GuardDef, call: GuardCall) -> None:
        self.guard = guard
        self.call = call

    def __call__(self, event: Any) -> bool:
        attempt: _Attempt = event.kwargs["attempt"]
        reason = self.guard.evaluate(self.call.arg, attempt.ctx)
        if reason is None:
            return True
        attempt.refusal.append((self.call.name, reason))
        return False


class CompiledFlow:
    def __init__(self, spec: FlowSpec, guards: GuardRegistry) -> None:
        self.spec = spec
        self._machine = Machine(
            model=None,
            states=list(spec.states),
            initial=spec.initial,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        for edge in spec.edges():
            conditions: list[Any] = []
            for call in edge.transition.require if edge.transition else ():
                guard = guards.get(call.name)
                if guard is None:  # the reader checked names against the same registry
                    raise ValueError(f"guard {call.name!r} is not registered")
                conditions.append(_Condition(guard, call))
            self._machine.add_transition(str(edge.trigger), edge.source, edge.dest,
                                         conditions=conditions)

    def fire(self, state: str, trigger: str, ctx: GuardContext) -> str:
        """Move from ``state`` by ``trigger`` if its guards pass; return the new state."""
        trigger = str(trigger)  # an INTERNAL member: messages and errors carry its plain value
        event = self._machine.events.get(trigger)
        if event is None or state not in event.transitions:
            raise self.not_allowed(state, trigger)
        token = _Token(state)
        attempt = _Attempt(ctx)
        try:
            moved = event.trigger(token, attempt=attempt)
        except (MachineError, AttributeError):
            raise self.not_allowed(state, trigger) from None
        if not moved:
            guard, reason = attempt.refusal[0] if attempt.refusal else (
                "?", Reason("guard.unknown", "refused"))
            raise GuardRefused(trigger, guard, reason, state=state)
        return token.state

    def moves(self) -> list[tuple[str, str, str]]:
        """``(source, trigger, dest)`` of every transition the compiled machine holds, read
        back from ``transitions``: what :meth:`FlowSpec.edges` should have put there."""
        return [(source, name, str(t.dest)) for name, event in self._machine.events.items()
                for source, held in event.transitions.items() for t in held]

    def can(self, state: str, trigger: str) -> bool:
        event = self._machine.events.get(trigger)
        return event is not None and state in event.transitions

    def not_allowed(self, state: str, trigger: str) -> NotAllowed:
        allowed = self.spec.allowed_triggers(state)
        shown = ", ".join(allowed) if allowed else "nothing (waiting on the engine)"
        if self.spec.states[state].final:
            shown = f"nothing ({state!r} is final)"
        final = self.spec.states[state].final
        known = trigger in self._machine.events
        return NotAllowed(
            f"cannot {trigger!r} from {state!r}; allowed here: {shown}",
            msgid="fire.final" if final else "fire.not_here" if allowed and known
            else "fire.unknown" if allowed else "fire.waiting",
            values={"triggers": allowed},
            state=state,
            trigger=trigger,
            allowed=allowed,
        )
