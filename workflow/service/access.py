"""Every permission rule of the engine, in one place.

A role is held at a unit (``officer@BN-SGD``); a flow names roles by scope (``ROLE@SCOPE``),
resolved from the item's nominating unit. On top of the flows' own ``by:`` rules:

* **reach** — a person sees items of the units where they hold a role and of every unit below;
* **staff** — officers and the secretariat of the item's unit or above may file complaints;
* **examining secretariat** — an objection is resolved by the secretariat of the body that
  examines it (the notice's publishing unit, else the council running the item's stage);
* **whole-chain auditor** — exporting the whole audit chain takes an auditor at a top unit;
* **administrator** — the flow pages (every flow, its versions, items per state) take the
  ``admin`` role at a top unit;
* **council sessions** — the council's secretariat opens and closes a session and records
  written ballots on its paper; each item it closes also needs the item's own ``close_by``;
* **nobody decides their own case** — when the nominee holds the deciding role at the
  deciding unit, the decider's transitions (and the decision's number) go to that role at the
  unit above it; the nominee is refused (the flow's ``decider_above: false``: refused, and
  nothing routes the case up).

Above :mod:`workflow.service.base` only.
"""

from __future__ import annotations

from workflow.errors import PermissionDenied
from workflow.flow import FlowSpec, RoleRef, StateSpec, TransitionSpec
from workflow.service.base import Actor, Deps, RoutedUp, routed_up
from workflow.store import NominationRow, Tx

__all__ = [
    "STAFF_ROLES",
    "authorize",
    "case_recipients",
    "check_admin",
    "check_council_secretariat",
    "check_sees",
    "check_whole_audit",
    "dossier_open",
    "examining_unit",
    "holds_any",
    "is_staff",
    "issuing_unit",
    "may_fire",
    "may_resolve",
    "may_revoke",
    "proposer_roles",
    "reach",
    "recipients",
    "routed_up",
    "sees",
    "stage",
]

STAFF_ROLES = ("officer", "secretariat")


def holds_any(deps: Deps, tx: Tx, actor: Actor, roles: tuple[RoleRef, ...], unit_id: str
              ) -> bool:
    """Whether ``actor`` holds one of ``roles`` for an item of ``unit_id``."""
    for ref in roles:
        target = deps.resolve(tx, unit_id, ref.scope)
        if target is not None and tx.directory.has_role(actor.login, ref.role, target):
            return True
    return False


def authorize(deps: Deps, tx: Tx, actor: Actor, roles: tuple[RoleRef, ...], unit_id: str,
              what: str) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` holds one of ``roles``."""
    if holds_any(deps, tx, actor, roles, unit_id):
        return
    needed = []
    for ref in roles:
        target = deps.resolve(tx, unit_id, ref.scope)
        needed.append(f"{ref.role} at {target}" if target else f"{ref} (no such unit)")
    raise PermissionDenied(
        f"{actor.login} may not {what}: needs {' or '.join(needed) or 'a role'}",
        msgid="access.needs_role",
        values={"roles": [f"{r.role}@{deps.resolve(tx, unit_id, r.scope) or r.scope}"
                          for r in roles]},
        actor=actor.login,
        needs=[str(r) for r in roles],
    )


def recipients(deps: Deps, tx: Tx, roles: tuple[RoleRef, ...], unit_id: str) -> list[str]:
    """Logins holding any of ``roles`` for an item of ``unit_id``."""
    out: list[str] = []
    for ref in roles:
        target = deps.resolve(tx, unit_id, ref.scope)
        if target is not None:
            out.extend(x for x in tx.directory.holders(ref.role, target) if x not in out)
    return out


def case_recipients(deps: Deps, tx: Tx, roles: tuple[RoleRef, ...], item: NominationRow,
                    flow: FlowSpec) -> list[str]:
    """:func:`recipients` of a message about ``item``, except that a nominee who would decide
    their own case is not told to decide it: where the decision goes to the level above, the
    same role there is told instead (and with nowhere to send it, the others only)."""
    out = recipients(deps, tx, roles, item.unit_id)
    up = routed_up(deps, tx, item, flow)
    if up is None or up.nominee not in out:
        return out
    out = [login for login in out if login != up.nominee]
    if flow.decider_above and up.parent is not None:
        out.extend(x for x in tx.directory.holders(up.role, up.parent) if x not in out)
    return out


# ---- the flow's own rules ------------------------------------------------------------------


def proposer_roles(flow: FlowSpec) -> tuple[RoleRef, ...]:
    """Who may create an item: whoever may fire a transition out of the initial state."""
    roles: list[RoleRef] = []
    for t in flow.transitions_from(flow.initial):
        roles.extend(r for r in t.by.roles if r not in roles)
    return tuple(roles)


def dossier_open(flow: FlowSpec, state: str) -> bool:
    """Whether the dossier may change in ``state``: while the item is in its proposers' hands
    (the initial state, or one they send on from, such as a return for supplement; a state
    they may only withdraw from does not count). From submission on it is frozen: what the
    council votes on is what was submitted."""
    if state == flow.initial:
        return True
    proposers = set(proposer_roles(flow))
    return any(not flow.states[t.dest].final and any(r in proposers for r in t.by.roles)
               for t in flow.transitions_from(state))


def _own_case(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, t: TransitionSpec
              ) -> tuple[RoutedUp | None, bool]:
    """For a decider's transition: the nominee's hold on the deciding role (None: they hold
    none, the flow's own roles apply), and whether the decision goes to the unit above
    (the flow's ``decider_above``, and a unit above there is)."""
    if not flow.by_decider(t):
        return None, False
    up = routed_up(deps, tx, item, flow)
    if up is None:
        return None, False
    return up, flow.decider_above and up.parent is not None


def may_take(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, flow: FlowSpec,
             t: TransitionSpec) -> bool:
    """Whether ``actor`` (a person) may fire ``t`` on ``item``: what queues list."""
    if actor.system or not t.by.roles:
        return False
    up, above = _own_case(deps, tx, item, flow, t)
    if up is None:
        return holds_any(deps, tx, actor, t.by.roles, item.unit_id)
    if actor.login == up.nominee:
        return False
    if above:
        assert up.parent is not None
        return tx.directory.has_role(actor.login, up.role, up.parent)
    return holds_any(deps, tx, actor, t.by.roles, item.unit_id)


def may_fire(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, t: TransitionSpec,
             flow: FlowSpec | None = None) -> RoutedUp | None:
    """PermissionDenied unless ``actor`` may fire ``t`` on ``item`` (the system only fires
    ``by: system`` transitions; people need one of the roles at the right unit; nobody
    decides their own case). Returns the routing when the decision was taken a level up."""
    if actor.system:
        if not t.by.system:
            raise PermissionDenied(f"'{t.trigger}' is not a system transition",
                                   msgid="access.not_system", trigger=t.trigger)
        return None
    if not t.by.roles:
        raise PermissionDenied(f"'{t.trigger}' is fired by the system only",
                               msgid="access.system_only", trigger=t.trigger)
    what = f"'{t.trigger}' nomination {item.id}"
    if flow is None:
        flow = deps.compiled(tx, item.flow_version).spec
    up, above = _own_case(deps, tx, item, flow, t)
    if up is None:
        authorize(deps, tx, actor, t.by.roles, item.unit_id, what)
        return None
    if actor.login == up.nominee:
        if above:
            raise PermissionDenied(
                f"{actor.login} may not {what}: nobody decides their own case; the decision "
                f"goes to the level above {up.unit}: {up.role} at {up.parent}",
                msgid="access.own_case", values={"id": str(item.id), "unit": up.parent},
                actor=actor.login, unit=up.parent)
        why = (f"flow {flow.id!r} does not send it to the level above (decider_above: "
               "false)" if not flow.decider_above else f"there is no unit above {up.unit}")
        raise PermissionDenied(
            f"{actor.login} may not {what}: nobody decides their own case, and {why}",
            msgid="access.own_case_refused", values={"id": str(item.id)}, actor=actor.login)
    if not above:  # not routed up: anyone else holding the role decides
        authorize(deps, tx, actor, t.by.roles, item.unit_id, what)
        return None
    assert up.parent is not None
    if not tx.directory.has_role(actor.login, up.role, up.parent):
        raise PermissionDenied(
            f"{actor.login} may not {what}: its nominee decides at {up.unit}, so the decision "
            f"goes to the level above: needs {up.role} at {up.parent}",
            msgid="access.routed_up",
            values={"id": str(item.id), "unit": up.parent, "roles": [f"{up.role}@{up.parent}"]},
            actor=actor.login, unit=up.parent)
    return up


# ---- decisions and revocation -------------------------------------------------------------


def issuing_unit(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec) -> str:
    """The unit whose decider signs the item's award decision (and may revoke the award):
    the unit above when the nominee holds the deciding role there (nobody decides their own
    case)."""
    up = routed_up(deps, tx, item, flow) if flow.decider_above else None
    if up is not None and up.parent is not None:
        return up.parent
    for ref in flow.decider.roles:
        target = deps.resolve(tx, item.unit_id, ref.scope)
        if target is not None:
            return target
    return item.unit_id


def may_revoke(deps: Deps, tx: Tx, actor: Actor, roles: tuple[str, ...], unit_id: str,
               what: str) -> None:
    """PermissionDenied unless ``actor`` holds one of the deciding ``roles`` at the issuing
    unit ``unit_id``: whoever may decide an award may revoke it (Law 2022 ch. VII). The
    secretariat does not revoke on its own; it revokes by upholding a complaint against the
    award, whose examination is the ground the law asks for (see ``award resolve``)."""
    if actor.system or actor.public or not any(
            tx.directory.has_role(actor.login, role, unit_id) for role in roles):
        raise PermissionDenied(
            f"{actor.login} may not {what}: needs {' or '.join(roles) or 'the decider'} at "
            f"{unit_id}", msgid="revoke.denied",
            values={"roles": [f"{r}@{unit_id}" for r in roles]}, actor=actor.login)


# ---- who sees what -------------------------------------------------------------------------


def sees(deps: Deps, tx: Tx, actor: Actor, unit_id: str, role: str | None = None) -> bool:
    """Whether ``actor`` holds a role (``role``, or any) at the unit or above it."""
    above = set(deps.tree(tx).ancestors(unit_id))
    return any(u in above and (role is None or r == role)
               for r, u in tx.directory.roles_of(actor.login))


def check_sees(deps: Deps, tx: Tx, actor: Actor, item: NominationRow) -> None:
    if not sees(deps, tx, actor, item.unit_id):
        raise PermissionDenied(
            f"{actor.login} may not see nomination {item.id}: no role at "
            f"{item.unit_id} or a unit above it", msgid="access.not_visible",
            values={"id": str(item.id)}, actor=actor.login)


def reach(deps: Deps, tx: Tx, actor: Actor, role: str | None = None) -> tuple[str, ...]:
    """The units where ``actor`` holds a role (``role``, or any), and every unit below them."""
    tree = deps.tree(tx)
    units: set[str] = set()
    for held, unit in tx.directory.roles_of(actor.login):
        if role is None or held == role:
            units.add(unit)
            units |= tree.descendants(unit)
    return tuple(sorted(units))


def check_whole_audit(deps: Deps, tx: Tx, actor: Actor) -> None:
    """The whole chain names every unit's items: exporting it takes an auditor at a top unit
    of the directory (one with no parent)."""
    tree = deps.tree(tx)
    tops = [u for u in tree.units.values() if u.parent is None]
    if not any(r == "auditor" and tree.units.get(u) in tops
               for r, u in tx.directory.roles_of(actor.login)):
        raise PermissionDenied(
            f"{actor.login} may not export the whole audit trail: needs auditor at "
            f"{' or '.join(u.id for u in tops) or 'the top unit'}",
            msgid="audit.export_denied", values={"units": [u.id for u in tops]},
            actor=actor.login)


def check_admin(deps: Deps, tx: Tx, actor: Actor) -> None:
    """The flow pages show every flow and how many items each step holds, across units:
    they take the ``admin`` role at a top unit of the directory (one with no parent)."""
    tree = deps.tree(tx)
    tops = [u.id for u in tree.units.values() if u.parent is None]
    if not any(role == "admin" and unit in tops
               for role, unit in tx.directory.roles_of(actor.login)):
        raise PermissionDenied(
            f"{actor.login} may not administer flows: needs admin at "
            f"{' or '.join(tops) or 'the top unit'}",
            msgid="admin.denied", values={"units": tops}, actor=actor.login)


# ---- objections ----------------------------------------------------------------------------


def is_staff(deps: Deps, tx: Tx, actor: Actor | None, item: NominationRow,
             roles: tuple[str, ...] = STAFF_ROLES) -> bool:
    """Officers and the secretariat of the item's unit or above: they may file a complaint
    at any time before a final state (the public only while a notice window is open)."""
    if actor is None or actor.public or actor.system:
        return False
    return any(tx.directory.has_role(actor.login, role, unit)
               for unit in deps.tree(tx).ancestors(item.unit_id) for role in roles)


def stage(flow: FlowSpec, item: NominationRow) -> StateSpec:
    """The state whose rules apply to ``item``: through a hold, the state it paused."""
    state = flow.states[item.state]
    if state.type == "hold" and item.hold_data:
        return flow.states.get(str(item.hold_data.get("origin")), state)
    return state


def examining_unit(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec,
                   notice_id: int | None) -> str:
    """Whose secretariat examines an objection: the unit that published the notice it was
    filed against; once the award is granted, the level that issued the decision; else the
    council that holds the item's stage (a vote's council unit, or
    where the stage's secretariat acts); never merely the nominating unit's own staff when a
    higher body runs the stage."""
    notice = tx.notices.get(notice_id) if notice_id is not None else None
    if notice is not None:
        return notice.unit_id
    grant = tx.grants.of_nomination(item.id)
    if grant is not None:  # after the decision: the level that issued it
        decision = tx.decisions.get(grant.decision_id) if grant.decision_id else None
        return decision.unit_id if decision else issuing_unit(deps, tx, item, flow)
    current = stage(flow, item)
    if current.vote is not None:
        council = deps.resolve(tx, item.unit_id, current.vote.council)
        if council is not None:
            return council
    tree = deps.tree(tx)
    units = [deps.resolve(tx, item.unit_id, ref.scope)
             for t in flow.transitions_from(current.name)
             for ref in t.by.roles if ref.role == "secretariat"]
    known = [u for u in units if u is not None]
    # the highest of them: the body that runs the stage
    return min(known, key=lambda u: len(tree.ancestors(u))) if known else item.unit_id


def may_resolve(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, flow: FlowSpec,
                notice_id: int | None) -> tuple[bool, str]:
    """Whether ``actor`` is the secretariat that examines this objection (at the examining
    unit or above), and that unit."""
    unit = examining_unit(deps, tx, item, flow, notice_id)
    return any(tx.directory.has_role(actor.login, "secretariat", u)
               for u in deps.tree(tx).ancestors(unit)), unit


# ---- council sessions ----------------------------------------------------------------------


def check_council_secretariat(deps: Deps, tx: Tx, actor: Actor, council_unit: str, what: str
                              ) -> None:
    """PermissionDenied unless ``actor`` is the secretariat of the council of
    ``council_unit`` (who runs its meetings)."""
    if not tx.directory.has_role(actor.login, "secretariat", council_unit):
        raise PermissionDenied(f"{actor.login} may not {what}: needs secretariat at "
                               f"{council_unit}", msgid="session.not_secretariat",
                               values={"unit": council_unit}, actor=actor.login)
