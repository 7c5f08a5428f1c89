"""What changed between two versions of a flow: states, transitions, roles, SLAs, guards.

Compares two built :class:`~workflow.flow.model.FlowSpec` s (so comments and layout, which do
not change the version, never show). Each thing is described as short strings, the way
``award flows show`` prints it, and compared by name: a state by its name, a transition by
``(source, trigger)`` (one per source, as the machine sees it). Plain data out.

A writer: reads the model only. Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

from typing import Any

from workflow.flow.model import FlowSpec, RoleRef, StateSpec, TransitionSpec

__all__ = ["diff_flows", "is_empty"]


def _state(s: StateSpec) -> dict[str, str]:
    """A state's settings as comparable strings (empty settings left out)."""
    out: dict[str, str] = {"type": "final" if s.final else s.type}
    if s.final:
        out["outcome"] = s.outcome or ""
    if s.initial:
        out["initial"] = "yes"
    if s.label:
        out["label"] = " / ".join(dict.fromkeys(s.label.values()))
    if s.sla:
        out["sla"] = str(s.sla)
    if s.escalate:
        out["escalate"] = "; ".join(
            f"after {e.after_text}: " + ", ".join(
                [*(f"notify {r}" for r in e.notify), *([f"fire {e.fire}"] if e.fire else [])])
            for e in s.escalate)
    if s.render:
        out["render"] = ", ".join(s.render)
    if s.vote:
        v = s.vote
        rule = v.rule
        parts = [f"council {v.council}", f"threshold {rule.threshold.text} of {rule.basis}"]
        if rule.quorum is not None:
            parts.append(f"quorum {rule.quorum.text}")
        if rule.presence is not None:
            parts.append(f"presence {rule.presence.text}")
        parts += [f"secret {'yes' if v.secret else 'no'}", f"pass → {v.pass_to}",
                  f"fail → {v.fail_to}", f"no quorum → {v.no_quorum_to}",
                  f"closed by {', '.join(map(str, v.close_by))}"]
        out["vote"] = ", ".join(parts)
    if s.notice:
        n = s.notice
        out["notice"] = (f"{n.amount} {'working days' if n.working else 'days'}, template "
                         f"{n.template}, published by {n.publisher}, then → {n.then}")
    if s.confirmations:
        c = s.confirmations
        out["confirmations"] = (", ".join(f"{k}: {', '.join(map(str, roles))}"
                                          for k, roles in c.items)
                                + f", then → {c.then}, on negative → {c.on_negative}")
    return out


def _sla(side: str, state: StateSpec) -> dict[str, Any]:
    """An SLA as text and as numbers (``days``, ``working``) for a page to say in words."""
    sla = state.sla
    return {side: str(sla) if sla else None,
            f"{side}_days": sla.amount if sla else None,
            f"{side}_working": sla.working if sla else None}


def _transition(t: TransitionSpec) -> dict[str, str]:
    out = {"to": t.dest, "by": str(t.by), "comment": t.comment}
    if t.require:
        out["require"] = ", ".join(map(str, t.require))
    if t.label:
        out["label"] = " / ".join(dict.fromkeys(t.label.values()))
    return out


def _roles(flow: FlowSpec) -> set[str]:
    """Every ROLE@SCOPE the flow names: who fires, decides, is notified, closes, confirms."""
    refs: list[RoleRef] = [*flow.decider.roles]
    for t in flow.transitions:
        refs += t.by.roles
    for s in flow.states.values():
        for step in s.escalate:
            refs += step.notify
        if s.vote:
            refs += s.vote.close_by
        if s.confirmations:
            for _key, roles in s.confirmations.items:
                refs += roles
    return {str(r) for r in refs}


def _settings(flow: FlowSpec) -> dict[str, str]:
    return {"title": " / ".join(dict.fromkeys(flow.title.values())), "award": flow.award,
            "nominee": flow.nominee, "calendar": flow.calendar,
            "decider": ", ".join(map(str, flow.decider.roles)), "on_upheld": flow.on_upheld,
            "ad_hoc": "yes" if flow.ad_hoc else "no",
            "fields": ", ".join(f"{f.name}:{f.type}{'*' if f.required else ''}"
                                for f in flow.fields.values()),
            "documents": ", ".join(flow.documents)}


def _changes(old: dict[str, str], new: dict[str, str]) -> list[dict[str, str | None]]:
    return [{"what": key, "from": old.get(key), "to": new.get(key)}
            for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)]


def _edges(flow: FlowSpec) -> dict[tuple[str, str], TransitionSpec]:
    return {(source, t.trigger): t for t in flow.transitions for source in t.sources}


def diff_flows(old: FlowSpec, new: FlowSpec) -> dict[str, Any]:
    """Everything added, removed or changed from ``old`` to ``new`` (plain data)."""
    states: dict[str, Any] = {
        "added": [{"state": n, **_state(new.states[n])} for n in new.states
                  if n not in old.states],
        "removed": [{"state": n, **_state(old.states[n])} for n in old.states
                    if n not in new.states],
        "changed": [{"state": n, "changes": c} for n in old.states if n in new.states
                    if (c := _changes(_state(old.states[n]), _state(new.states[n])))],
    }
    old_edges, new_edges = _edges(old), _edges(new)
    transitions: dict[str, Any] = {
        "added": [{"from": s, "trigger": t, **_transition(new_edges[(s, t)])}
                  for (s, t) in new_edges if (s, t) not in old_edges],
        "removed": [{"from": s, "trigger": t, **_transition(old_edges[(s, t)])}
                    for (s, t) in old_edges if (s, t) not in new_edges],
        "changed": [{"from": s, "trigger": t, "changes": c} for (s, t) in old_edges
                    if (s, t) in new_edges
                    if (c := _changes(_transition(old_edges[(s, t)]),
                                      _transition(new_edges[(s, t)])))],
    }
    old_roles, new_roles = _roles(old), _roles(new)
    slas = [{"state": n, **_sla("from", old.states[n]), **_sla("to", new.states[n])}
            for n in old.states if n in new.states and old.states[n].sla != new.states[n].sla]
    guards: dict[str, list[dict[str, str]]] = {"added": [], "removed": []}
    for key in dict.fromkeys([*old_edges, *new_edges]):
        before = [str(g) for g in old_edges[key].require] if key in old_edges else []
        after = [str(g) for g in new_edges[key].require] if key in new_edges else []
        guards["added"] += [{"from": key[0], "trigger": key[1], "guard": g}
                            for g in after if g not in before]
        guards["removed"] += [{"from": key[0], "trigger": key[1], "guard": g}
                              for g in before if g not in after]
    return {
        "flow": new.id, "from": old.version, "to": new.version,
        "settings": _changes(_settings(old), _settings(new)),
        "states": states, "transitions": transitions,
        "roles": {"added": sorted(new_roles - old_roles),
                  "removed": sorted(old_roles - new_roles)},
        "slas": slas, "guards": guards,
    }


def is_empty(diff: dict[str, Any]) -> bool:
    """Whether a diff found nothing (two versions the same in everything compared)."""
    def empty(value: Any) -> bool:
        if isinstance(value, dict):
            return all(empty(v) for v in value.values())
        return not value
    return all(empty(diff[k]) for k in ("settings", "states", "transitions", "roles", "slas",
                                        "guards"))
