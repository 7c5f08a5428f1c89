"""A flow as plain data (``award flows show``): every state, rule and transition spelled out.

Writes the definition as declared — each state's own settings (a vote's ``pass``/``fail``, a
notice's ``then`` …) and the ``transitions:`` list — not the edges derived from them; those
are :meth:`FlowSpec.edges`. A writer: reads the model only. Must not import the store,
jinja2, typer or apscheduler.
"""

from __future__ import annotations

from typing import Any

from workflow.flow.model import FlowSpec, StateSpec

__all__ = ["describe"]


def _state(state: StateSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"type": state.type}
    if state.label:
        data["label"] = dict(state.label)
    if state.initial:
        data["initial"] = True
    if state.final:
        data["final"] = True
        data["outcome"] = state.outcome
    if state.sla:
        data["sla"] = {"working_days" if state.sla.working else "days": state.sla.amount}
    if state.escalate:
        data["escalate"] = [
            {"after": step.after_text,
             **({"notify": [str(r) for r in step.notify]} if step.notify else {}),
             **({"fire": step.fire} if step.fire else {})}
            for step in state.escalate
        ]
    if state.render:
        data["render"] = list(state.render)
    if state.vote:
        v = state.vote
        data["vote"] = {
            "council": v.council, "threshold": v.rule.threshold.text, "of": v.rule.basis,
            "quorum": v.rule.quorum.text if v.rule.quorum else None,
            "presence": v.rule.presence.text if v.rule.presence else None, "secret": v.secret,
            "pass": v.pass_to, "fail": v.fail_to, "no_quorum": v.no_quorum_to,
            "close_by": [str(r) for r in v.close_by],
        }
    if state.notice:
        n = state.notice
        data["notice"] = {"working_days" if n.working else "days": n.amount,
                          "template": n.template, "then": n.then, "publisher": n.publisher}
    if state.confirmations:
        c = state.confirmations
        data["confirmations"] = {key: [str(r) for r in roles] for key, roles in c.items}
        data["confirmations"].update({"then": c.then, "on_negative": c.on_negative})
    return data


def describe(flow: FlowSpec) -> dict[str, Any]:
    return {
        "id": flow.id,
        "version": flow.version,
        "title": dict(flow.title),
        "description": dict(flow.description),
        "award": flow.award,
        "nominee": flow.nominee,
        "calendar": flow.calendar,
        "decider": [str(r) for r in flow.decider.roles],
        "on_upheld": flow.on_upheld,
        "ad_hoc": flow.ad_hoc,
        "confidential": flow.confidential,
        "decider_above": flow.decider_above,
        "path": flow.path,
        "fields": {
            name: {"type": f.type, "required": f.required,
                   **({"values": list(f.values)} if f.values else {}),
                   **({"value_labels": {k: dict(v) for k, v in f.value_labels.items()}}
                      if f.value_labels else {}),
                   **({"label": dict(f.label)} if f.label else {})}
            for name, f in flow.fields.items()
        },
        "documents": {name: dict(d.label) for name, d in flow.documents.items()},
        "states": {name: _state(s) for name, s in flow.states.items()},
        "transitions": [
            {"trigger": t.trigger, "from": list(t.sources), "to": t.dest, "by": str(t.by),
             "require": [str(g) for g in t.require], "comment": t.comment}
            for t in flow.transitions
        ],
    }
