"""Compiled flows: the only module that imports ``transitions``.

A :class:`CompiledFlow` is built once per flow *version* (the service caches them) with
``auto_transitions=False`` and callables only — never dotted strings, so nothing from a
definition can reach ``importlib``. Every edge of the flow is a ``transitions`` trigger:
declared transitions under their own names and the engine's implicit edges (vote pass/fail,
notice then, confirmations, hold/resume, upheld objections) under ``@``-names a definition
cannot spell. Firing runs the guards as ``transitions`` conditions; ``transitions`` refuses by
returning ``False`` or raising ``MachineError``/``AttributeError`` — all three become our own
:class:`~workflow.errors.NotAllowed` / :class:`~workflow.errors.GuardRefused`.

The machine holds no models: each fire uses a throwaway token carrying the current state, so
one compiled machine serves every item of its version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transitions import Machine, MachineError

from workflow.errors import GuardRefused, NotAllowed
from workflow.flow.registry import GuardContext, GuardDef, GuardRegistry
from workflow.flow.spec import INTERNAL, FlowSpec, GuardCall
from workflow.flow.validation import implicit_edges

__all__ = ["CompiledFlow"]


@dataclass
class _Token:
    state: str


@dataclass
class _Attempt:
    ctx: GuardContext
    refusal: list[tuple[str, str]] = field(default_factory=list)


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
        for t in spec.transitions:
            conditions: list[Any] = []
            for call in t.require:
                guard = guards.get(call.name)
                if guard is None:  # the loader checked names against the same registry
                    raise ValueError(f"guard {call.name!r} is not registered")
                conditions.append(_Condition(guard, call))
            for source in t.sources:
                self._machine.add_transition(t.trigger, source, t.dest, conditions=conditions)
        self._add_implicit_edges()

    def _add_implicit_edges(self) -> None:
        spec, add = self.spec, self._machine.add_transition
        hold = spec.hold_state
        for state in spec.states.values():
            if state.vote:
                add(INTERNAL.PASS, state.name, state.vote.pass_to)
                add(INTERNAL.FAIL, state.name, state.vote.fail_to)
                add(INTERNAL.NO_QUORUM, state.name, state.vote.no_quorum_to)
            if state.notice:
                add(INTERNAL.THEN, state.name, state.notice.then)
            if state.confirmations:
                add(INTERNAL.THEN, state.name, state.confirmations.then)
                add(INTERNAL.NEGATIVE, state.name, state.confirmations.on_negative)
            if state.final or state.type == "hold":
                continue
            if spec.on_upheld:
                add(INTERNAL.UPHELD, state.name, spec.on_upheld)
            if hold:
                add(INTERNAL.HOLD, state.name, hold)
                add(INTERNAL.resume(state.name), hold, state.name)
        if hold and spec.on_upheld:
            add(INTERNAL.UPHELD, hold, spec.on_upheld)
        assert all(d in spec.states for s in spec.states.values() for d in implicit_edges(s))

    def fire(self, state: str, trigger: str, ctx: GuardContext) -> str:
        """Move from ``state`` by ``trigger`` if its guards pass; return the new state."""
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
            guard, reason = attempt.refusal[0] if attempt.refusal else ("?", "refused")
            raise GuardRefused(trigger, guard, reason, state=state)
        return token.state

    def can(self, state: str, trigger: str) -> bool:
        event = self._machine.events.get(trigger)
        return event is not None and state in event.transitions

    def not_allowed(self, state: str, trigger: str) -> NotAllowed:
        allowed = self.spec.allowed_triggers(state)
        shown = ", ".join(allowed) if allowed else "nothing (waiting on the engine)"
        if self.spec.states[state].final:
            shown = f"nothing ({state!r} is final)"
        return NotAllowed(
            f"cannot {trigger!r} from {state!r}; allowed here: {shown}",
            state=state,
            trigger=trigger,
            allowed=allowed,
        )
