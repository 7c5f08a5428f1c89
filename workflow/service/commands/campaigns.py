"""Emulation campaigns: registration, withdrawal, cluster rankings, reminders.

Every step is one unit of work and one audit entry (``registered``, ``registration_withdrawn``,
``cluster_opened``, ``cluster_vote_cast`` — naming the unit and the head, never the paper —,
``cluster_closed`` with the published standings, ``campaign_reminded``).

Who may do what:

* a unit's ``officer`` registers the unit, or one of its people, and withdraws a
  registration, while registration is open (until the end of ``registration_until`` on the
  campaign's working-day calendar; exit 4 after);
* the ``secretariat`` of the organising unit opens and closes a cluster's ranking, while the
  campaign is under review (from the final review's day);
* the ``unit_head`` of each member unit casts that unit's one paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from workflow import ranking
from workflow.campaign import CampaignSpec, ClusterSpec
from workflow.directory import Registration
from workflow.errors import InvalidInput, NotAllowed, NotFound, PermissionDenied
from workflow.service.base import Actor, Deps
from workflow.store import Tx

__all__ = ["cluster_close", "cluster_open", "cluster_vote", "import_registrations", "phase",
           "register", "remind", "scope_units", "withdraw"]

KEY_PURPOSE = "ballot"  # cluster marks are sealed under the same subkey as council ballots


def phase(deps: Deps, spec: CampaignSpec, now: datetime | None = None) -> str:
    return spec.phase(now or deps.now(), deps.definitions.calendar(spec.calendar))


def scope_units(deps: Deps, tx: Tx, spec: CampaignSpec) -> list[str]:
    """The scope's units and every unit below them, that the directory knows."""
    tree = deps.tree(tx)
    units: set[str] = set()
    for unit in spec.scope:
        if unit in tree:
            units.add(unit)
            units |= tree.descendants(unit)
    return sorted(units)


def _closes(deps: Deps, spec: CampaignSpec) -> str | None:
    return deps.iso(spec.registration_closes(deps.definitions.calendar(spec.calendar)))


def _check_open(deps: Deps, spec: CampaignSpec, what: str) -> None:
    if phase(deps, spec) != "registration":
        closes = _closes(deps, spec)
        raise NotAllowed(f"registration for {spec.id} closed at {closes}; {what} is no longer "
                         "possible", msgid="campaign.registration_closed",
                         values={"campaign": spec.id, "closes": closes or ""},
                         campaign=spec.id, closes=closes)


def _identify(deps: Deps, tx: Tx, actor: Actor, spec: CampaignSpec, unit: str,
              person: str | None, award: str) -> str:
    """Check the unit, person and award of a registration and the actor's right to make it;
    the person key (``""`` for the unit itself)."""
    if award not in spec.awards:
        raise InvalidInput(f"{award} is not an award of {spec.id}; allowed: "
                           f"{', '.join(spec.awards)}", msgid="campaign.award_not_offered",
                           values={"award": award, "campaign": spec.id}, award=award)
    tree = deps.tree(tx)
    if unit not in tree:
        raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown",
                       values={"unit": unit}, unit=unit)
    if unit not in scope_units(deps, tx, spec):
        raise InvalidInput(f"{unit} is outside the scope of {spec.id} "
                           f"({', '.join(spec.scope)} and the units below them)",
                           msgid="campaign.out_of_scope",
                           values={"unit": unit, "campaign": spec.id}, unit=unit)
    if not tx.directory.has_role(actor.login, "officer", unit):
        raise PermissionDenied(f"{actor.login} may not register for {unit}: needs officer at "
                               f"{unit}", msgid="campaign.not_officer", values={"unit": unit},
                               actor=actor.login)
    award_spec = deps.definitions.catalogue.get(award)
    kinds = tuple(award_spec.nominees) if award_spec is not None else ()
    if person:
        found = tx.directory.people([person]).get(person)
        if found is None:
            raise NotFound(f"no person {person!r} in the directory", msgid="person.unknown",
                           values={"person": person}, login=person)
        if found.get("unit_id") and found["unit_id"] != unit:
            raise InvalidInput(f"{person} does not work at {unit}; a unit registers its own "
                               "people", msgid="campaign.not_own_person",
                               values={"unit": unit}, login=person)
        if kinds and "individual" not in kinds:
            raise InvalidInput(f"{award} is for collectives; register the unit (leave out "
                               "--person)", msgid="campaign.award_collective",
                               values={"award": award}, award=award)
        return person
    if kinds and not set(kinds) & {"collective", "enterprise", "household"}:
        raise InvalidInput(f"{award} is for individuals; name the person with --person LOGIN",
                           msgid="campaign.award_individual", values={"award": award},
                           award=award)
    return ""


def register(deps: Deps, tx: Tx, actor: Actor, spec: CampaignSpec, unit: str,
             person: str | None, award: str) -> dict[str, Any]:
    key = _identify(deps, tx, actor, spec, unit, person, award)
    _check_open(deps, spec, "registering")
    now = deps.now()
    tx.audit.head()  # the chain lock first: two officers registering queue here
    reg_id = tx.campaigns.register(spec.id, unit, key, award, now, actor.login)
    if reg_id is None:
        raise NotAllowed(f"{key or unit} is already registered for {award} in {spec.id}",
                         msgid="campaign.already_registered",
                         values={"award": award, "campaign": spec.id}, award=award)
    tx.audit.append(now, actor.login, "registered", None, None, None, {
        "campaign": spec.id, "registration": reg_id, "unit": unit, "person": key or None,
        "award": award})
    return {"id": str(reg_id), "campaign": spec.id, "unit": unit, "person": key or None,
            "award": award, "status": "registered", "registered_at": deps.iso(now),
            "registration_closes": _closes(deps, spec)}


def withdraw(deps: Deps, tx: Tx, actor: Actor, spec: CampaignSpec, unit: str,
             person: str | None, award: str) -> dict[str, Any]:
    key = _identify(deps, tx, actor, spec, unit, person, award)
    _check_open(deps, spec, "withdrawing")
    now = deps.now()
    tx.audit.head()
    live = tx.campaigns.live(spec.id, unit, key, award)
    if live is None or not tx.campaigns.withdraw(live.id, now, actor.login):
        raise NotFound(f"{key or unit} has no registration for {award} in {spec.id} to "
                       "withdraw", msgid="campaign.no_registration",
                       values={"award": award, "campaign": spec.id}, award=award)
    tx.audit.append(now, actor.login, "registration_withdrawn", None, None, None, {
        "campaign": spec.id, "registration": live.id, "unit": unit, "person": key or None,
        "award": award})
    return {"id": str(live.id), "campaign": spec.id, "unit": unit, "person": key or None,
            "award": award, "status": "withdrawn", "withdrawn_at": deps.iso(now)}


# ---- cluster rankings ----------------------------------------------------------------------


def _cluster(spec: CampaignSpec, cluster_id: str) -> ClusterSpec:
    cluster = spec.cluster(cluster_id)
    if cluster is None:
        known = ", ".join(c.id for c in spec.clusters) or "none"
        raise NotFound(f"{spec.id} has no cluster {cluster_id!r}; clusters: {known}",
                       msgid="cluster.unknown", values={"campaign": spec.id},
                       cluster=cluster_id)
    return cluster


def _check_organiser(tx: Tx, actor: Actor, spec: CampaignSpec, what: str) -> None:
    if not tx.directory.has_role(actor.login, "secretariat", spec.organiser):
        raise PermissionDenied(f"{actor.login} may not {what}: needs secretariat at "
                               f"{spec.organiser}", msgid="cluster.not_organiser",
                               values={"unit": spec.organiser}, actor=actor.login)


def _open_round(tx: Tx, spec: CampaignSpec, cluster: ClusterSpec, *, lock: bool = False
                ) -> Any:
    rounds = tx.campaigns.rounds(spec.id, cluster.id, lock=lock)
    return next((r for r in rounds if r.status == "open"), None)


def cluster_open(deps: Deps, tx: Tx, actor: Actor, spec: CampaignSpec, cluster_id: str,
                 among: list[str] | None) -> dict[str, Any]:
    cluster = _cluster(spec, cluster_id)
    _check_organiser(tx, actor, spec, f"open the ranking of {cluster.id}")
    current = phase(deps, spec)
    if current != "reviewing":
        raise NotAllowed(f"a cluster ranks its members at the final review (from "
                         f"{spec.tong_ket}); {spec.id} is {current}",
                         msgid="cluster.not_reviewing",
                         values={"campaign": spec.id, "day": spec.tong_ket.isoformat()},
                         phase=current)
    candidates = list(cluster.members)
    if among:
        outside = [u for u in among if u not in cluster.members]
        if outside or len(set(among)) < 2:
            raise InvalidInput(f"a run-off is among two or more members of {cluster.id} "
                               f"({', '.join(cluster.members)})", msgid="cluster.bad_runoff",
                               values={"cluster": cluster.id}, among=among)
        candidates = [u for u in cluster.members if u in among]
    tx.audit.head()
    if _open_round(tx, spec, cluster, lock=True) is not None:
        raise NotAllowed(f"the ranking of {cluster.id} is already open",
                         msgid="cluster.already_open", values={"cluster": cluster.id})
    now = deps.now()
    round_id = tx.campaigns.open_round(spec.id, cluster.id, candidates, list(cluster.members),
                                       now, actor.login)
    tx.audit.append(now, actor.login, "cluster_opened", None, None, None, {
        "campaign": spec.id, "cluster": cluster.id, "round": round_id,
        "candidates": candidates, "voters": list(cluster.members)})
    return {"round": str(round_id), "campaign": spec.id, "cluster": cluster.id,
            "candidates": candidates, "voters": list(cluster.members), "status": "open"}


def cluster_vote(deps: Deps, tx: Tx, actor: Actor, spec: CampaignSpec, cluster_id: str,
                 paper: list[str], unit: str | None) -> dict[str, Any]:
    cluster = _cluster(spec, cluster_id)
    heads = [u for u in cluster.members if tx.directory.has_role(actor.login, "unit_head", u)]
    if unit is not None:
        if unit not in heads:
            raise PermissionDenied(f"{actor.login} is not the head of {unit} in {cluster.id}",
                                   msgid="cluster.not_head", values={"unit": unit},
                                   actor=actor.login)
        heads = [unit]
    if not heads:
        raise PermissionDenied(f"{actor.login} heads no member unit of {cluster.id} "
                               f"({', '.join(cluster.members)})", msgid="cluster.no_head",
                               values={"cluster": cluster.id}, actor=actor.login)
    if len(heads) > 1:
        raise InvalidInput(f"{actor.login} heads {', '.join(heads)}: say which unit votes "
                           "with --unit", msgid="cluster.which_unit",
                           values={"cluster": cluster.id}, units=heads)
    own = heads[0]
    tx.audit.head()
    current = _open_round(tx, spec, cluster, lock=True)
    if current is None:
        raise NotAllowed(f"the ranking of {cluster.id} is not open",
                         msgid="cluster.not_open", values={"cluster": cluster.id})
    marks = ranking.marks(current.candidates, own, paper)
    if not tx.campaigns.mark_voted(current.id, own):
        raise NotAllowed(f"{own} has already cast its paper in the ranking of {cluster.id}",
                         msgid="cluster.voted_twice", values={"unit": own})
    tx.campaigns.drop(current.id, marks, deps.key(tx, KEY_PURPOSE))
    now = deps.now()
    tx.audit.append(now, actor.login, "cluster_vote_cast", None, None, None, {
        "campaign": spec.id, "cluster": cluster.id, "round": current.id, "unit": own})
    roll = tx.campaigns.participation(current.id)
    due = sum(1 for _unit, voted in roll if not voted)
    result: dict[str, Any] = {"round": str(current.id), "campaign": spec.id,
                              "cluster": cluster.id, "unit": own, "papers_due": due}
    if due == 0:  # every head has voted: the round closes by itself
        result["closed"] = _close(deps, tx, "system", spec, cluster, current)
    return result


def cluster_close(deps: Deps, tx: Tx, actor: Actor, spec: CampaignSpec, cluster_id: str
                  ) -> dict[str, Any]:
    cluster = _cluster(spec, cluster_id)
    _check_organiser(tx, actor, spec, f"close the ranking of {cluster.id}")
    tx.audit.head()
    current = _open_round(tx, spec, cluster, lock=True)
    if current is None:
        raise NotAllowed(f"the ranking of {cluster.id} is not open",
                         msgid="cluster.not_open", values={"cluster": cluster.id})
    if not any(voted for _unit, voted in tx.campaigns.participation(current.id)):
        raise NotAllowed(f"no paper has been cast in the ranking of {cluster.id} yet",
                         msgid="cluster.no_papers", values={"cluster": cluster.id})
    return _close(deps, tx, actor.login, spec, cluster, current)


def _close(deps: Deps, tx: Tx, by: str, spec: CampaignSpec, cluster: ClusterSpec,
           current: Any) -> dict[str, Any]:
    counted = ranking.tally(current.candidates,
                            tx.campaigns.marks(current.id, deps.key(tx, KEY_PURPOSE)))
    roll = tx.campaigns.participation(current.id)
    result = {
        "standings": [{"unit": s.unit, "points": s.points, "places": list(s.places),
                       "rank": s.rank} for s in counted.standings],
        "leader": counted.leader, "tied": list(counted.tied),
        "papers": sum(1 for _u, voted in roll if voted), "voters": len(roll),
        "flag": cluster.flag,
    }
    now = deps.now()
    tx.campaigns.close_round(current.id, now, by, result)
    tx.audit.append(now, by, "cluster_closed", None, None, None, {
        "campaign": spec.id, "cluster": cluster.id, "round": current.id, **result})
    return {"round": str(current.id), "campaign": spec.id, "cluster": cluster.id,
            "status": "closed", **result}


# ---- reminders ------------------------------------------------------------------------------


def remind(deps: Deps, tx: Tx, spec: CampaignSpec, now: datetime) -> dict[str, int]:
    """Remind the officers of every unit in scope with no live registration, once per
    campaign and officer, from the campaign's reminder day until registration closes."""
    calendar = deps.definitions.calendar(spec.calendar)
    day = spec.reminder_day(calendar)
    if day is None or now < calendar.start_of_day(day) or phase(deps, spec, now) != "registration":
        return {"units": 0, "messages": 0}
    tx.audit.head()  # the chain lock first: concurrent sweeps queue, not race
    registered = tx.campaigns.registered_units(spec.id)
    closes = _closes(deps, spec)
    tree = deps.tree(tx)
    units = written = 0
    for unit in scope_units(deps, tx, spec):
        if unit in registered:
            continue
        officers = tx.directory.holders("officer", unit)
        if not officers:
            continue
        units += 1
        name = tree.units[unit].name
        title = spec.title.get("vi", spec.id)
        subject = (f"Nhắc đăng ký thi đua: {title} — hạn {closes} / Reminder: register for "
                   f"{spec.title.get('en', spec.id)}")
        body = (f"{name} ({unit}) chưa đăng ký thi đua trong phong trào “{title}”. Hạn đăng "
                f"ký: {closes}.\n{name} has not registered in the campaign yet; registration "
                f"closes at {closes}.\n\naward register {spec.id} --unit {unit} --award CODE "
                f"[--person LOGIN]\n")
        for login in officers:
            if tx.outbox.put(now, "reminder", login, None, subject, body,
                             dedupe=f"campaign:{spec.id}:{unit}:{login}"):
                written += 1
    if written:
        tx.audit.append(now, "system", "campaign_reminded", None, None, None, {
            "campaign": spec.id, "units": units, "messages": written, "closes": closes})
    return {"units": units, "messages": written}


def import_registrations(deps: Deps, tx: Tx, file: str, entries: Sequence[Registration]
                         ) -> int:
    """Record registrations made before the engine (a directory file's ``registrations``),
    as they were: not subject to the close, idempotent. Each must be in the campaign's scope
    and name the unit's own people. How many were new."""
    if not entries:
        return 0
    now = deps.now()
    scopes: dict[str, list[str]] = {}
    new = 0
    for entry in entries:
        spec = deps.definitions.campaign(entry.campaign)
        scope = scopes.setdefault(spec.id, scope_units(deps, tx, spec))
        if entry.unit not in scope:
            raise InvalidInput(f"{file}: registration of {entry.person or entry.unit} for "
                               f"{entry.award}: {entry.unit} is outside the scope of {spec.id}",
                               msgid="campaign.out_of_scope",
                               values={"unit": entry.unit, "campaign": spec.id}, file=file)
        if entry.person:
            works = tx.directory.people([entry.person]).get(entry.person, {}).get("unit_id")
            if works and works != entry.unit:
                raise InvalidInput(f"{file}: {entry.person} does not work at {entry.unit}; a "
                                   "unit registers its own people",
                                   msgid="campaign.not_own_person", values={"unit": entry.unit},
                                   file=file)
        if tx.campaigns.register(spec.id, entry.unit, entry.person or "", entry.award, now,
                                 "admin") is not None:
            new += 1
    return new
