"""Compiled flows: the only module that imports ``transitions``.

A :class:`CompiledFlow` is built once per flow *version* (the service caches them) with
``auto_transitions=False`` and callables only — never dotted strings, so nothing from a
definition can reach ``importlib``. Every edge of :meth:`FlowSpec.edges` becomes a
``transitions`` trigger: declared transitions under their own names and the engine's implicit
edges (vote pass/fail, notice then, confirmations, hold/resume, upheld objections) under the
``@``-names of :class:`~workflow.flow.INTERNAL`, which a definition cannot spell. Each
edge's guards are its ``transitions`` conditions. Firing walks the compiled edges of the
trigger from the current state as ``transitions`` would, without its event dispatch: an
unknown trigger or source becomes our own :class:`~workflow.errors.NotAllowed`, a refusing
guard :class:`~workflow.errors.GuardRefused`.

The machine holds no models, so one compiled machine serves every item of its version.
"""

from __future__ import annotations

from typing import Any, cast

from transitions import Machine

from workflow.errors import GuardRefused, NotAllowed, Reason
from workflow.flow import FlowSpec, GuardCall, GuardContext, GuardDef, GuardRegistry

__all__ = ["CompiledFlow"]


class _Condition:
    """One guard call as a ``transitions`` condition, evaluated by :meth:`CompiledFlow.fire`."""

    __slots__ = ("call", "guard")

    def __init__(self, guard: GuardDef, call: GuardCall) -> None:
        self.guard = guard
        self.call = call


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
        # What ``event.trigger`` does with a throwaway model, read straight from the compiled
        # edges (a transition in hot paths spends a tenth of its Python time in the
        # library's event dispatch otherwise): the edges of ``trigger`` from ``state`` in
        # order, each one's conditions in order until one fails; the first edge whose
        # conditions all pass is taken, the first refusal is the one reported.
        refusal: tuple[str, Reason] | None = None
        try:
            for edge in event.transitions[state]:
                for condition in edge.conditions:
                    check = cast(_Condition, condition.func)
                    reason = check.guard.evaluate(check.call.arg, ctx)
                    if (reason is None) != condition.target:
                        if refusal is None and reason is not None:
                            refusal = (check.call.name, reason)
                        break
                else:
                    return str(edge.dest)
        except AttributeError:
            raise self.not_allowed(state, trigger) from None
        guard, why = refusal or ("?", Reason("guard.unknown", "refused"))
        raise GuardRefused(trigger, guard, why, state=state)

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
