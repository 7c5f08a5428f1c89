"""Award decisions: the grant of each awardee, the numbered decision that grants it, and the
decision document.

An item entering a decision state (one that issues ``decision.html.j2``, or a final
``awarded`` state) gets its grant in the register, once. The step that moved it may name the
decision it belongs to (``award decision issue`` opens one for many items and fires each
item's awarding transition with it); otherwise the item gets a decision of its own, numbered
like any other, with its document issued at once.

A decision's document is kept as issued, in two copies when an awardee is confidential: the
issuing level's copy names everyone; the copy sent out counts the confidential awardees
without naming them.

Above :mod:`workflow.service.base`, :mod:`~workflow.service.access` and
:mod:`~workflow.service.present` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from workflow.documents import sha256_text
from workflow.errors import NotAllowed
from workflow.flow import DECISION_TEMPLATE, FlowSpec, StateSpec, fold
from workflow.service import access
from workflow.service.base import Deps, nomination_year
from workflow.service.lifecycle.base import Behaviour, Entry, Step
from workflow.service.present import decision_context, grant_view
from workflow.service.printing import print_issued
from workflow.store import DecisionRow, NominationRow, Tx

__all__ = ["Grant", "grant_item", "issue_document", "open_decision"]


def open_decision(deps: Deps, tx: Tx, actor: str, unit_id: str, on: date,
                  number: int | None, items: int) -> DecisionRow:
    """A new decision of ``unit_id`` dated ``on``: the next number of the unit in that year,
    or ``number`` if it is free (exit 4 naming the decision that holds it)."""
    year = on.year
    if number is None:
        seq = tx.decisions.next_seq(unit_id, year)
    else:
        taken = tx.decisions.claim_seq(unit_id, year, number)
        if taken is not None:
            raise NotAllowed(f"decision number {taken.number} of {year} is already used "
                             f"(issued {taken.decided_on}); numbers are never reused",
                             msgid="decision.number_used",
                             values={"number": taken.number, "date": taken.decided_on},
                             number=taken.number)
        seq = number
    decision_id = tx.decisions.insert(
        unit_id=unit_id, year=year, seq=seq, number=f"{seq}/QĐ-{unit_id}",
        decided_on=on.isoformat(), issued_at=deps.now(), issued_by=actor, basis=None,
        items=items)
    row = tx.decisions.get(decision_id)
    assert row is not None
    return row


def grant_item(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec,
               decision: DecisionRow | None) -> int:
    """The item's grant in the register (made once), under ``decision``."""
    existing = tx.grants.of_nomination(item.id)
    if existing is not None:
        return existing.id
    year = nomination_year(item, deps.calendar(flow))
    now = deps.now()
    # an ad-hoc flow's grant, or a thematic award's, never counts toward merit rules
    ad_hoc = deps.definitions.catalogue.not_counting(flow.award, flow.ad_hoc)
    grant_id = tx.grants.add(
        kind=flow.nominee, person_login=item.person_login, nominee=item.nominee,
        unit_id=item.unit_id, award=flow.award, year=year, ad_hoc=ad_hoc,
        decision_id=decision.id if decision else None, nomination_id=item.id,
        source="decision", confidential=item.confidential or flow.confidential,
        granted_at=now, name_fold=fold(item.nominee), nominee_unit=item.nominee_unit)
    payload: dict[str, Any] = {"grant": str(grant_id), "award": flow.award,
                               "person": item.person_login, "year": year,
                               "ad_hoc": ad_hoc}
    if item.nominee_unit:
        payload["nominee_unit"] = item.nominee_unit
    if decision is not None:
        payload["decision"] = decision.number
    tx.audit.append(now, "system", "granted", item.id, None, None, payload)
    return grant_id


class Grant(Behaviour):
    """Entering a decision state grants the award (eligibility streaks read the register),
    under the decision the step names, or under a decision of its own."""

    def applies(self, state: StateSpec) -> bool:
        return DECISION_TEMPLATE in state.render or (state.final and state.outcome == "awarded")

    def enter(self, entry: Entry, resume: Mapping[str, Any] | None) -> list[Step]:
        deps, tx, item, flow = entry.deps, entry.tx, entry.item, entry.flow
        if tx.grants.of_nomination(item.id) is not None:
            return []
        named = entry.cause.payload.get("decision_id") if entry.cause else None
        if named is not None:
            decision = tx.decisions.get(int(named))
            grant_item(deps, tx, item, flow, decision)
            return []
        actor = tx.items.entered_by(item.id, item.state) or "system"
        unit = access.issuing_unit(deps, tx, item, flow)
        today = deps.calendar(flow).local_date(deps.now())
        decision = open_decision(deps, tx, actor, unit, today, None, 1)
        grant_item(deps, tx, item, flow, decision)
        issue_document(deps, tx, decision.id)
        return []

    def view(self, entry: Entry) -> dict[str, Any]:
        """The award in the register, once granted (revoked: when, by whom, why)."""
        grant = entry.tx.grants.of_nomination(entry.item.id)
        if grant is None:
            return {}
        shown = grant_view(entry.deps, entry.tx, grant)
        issued = (entry.tx.issued.get("decision", grant.decision_id)
                  if grant.decision_id is not None else None)
        shown["decision_pdf"] = issued is not None and issued.pdf_sha256 is not None
        return {"grant": shown}


def issue_document(deps: Deps, tx: Tx, decision_id: int) -> dict[str, Any]:
    """Render the decision (and, if an awardee is confidential, the copy sent out), keep it
    as issued with the audit head it embeds, and audit its hashes."""
    decision = tx.decisions.get(decision_id)
    assert decision is not None
    grants = tx.grants.of_decision(decision_id)
    anchor = tx.audit.head()
    audit = {"seq": anchor[0], "hash": anchor[1]}
    context = decision_context(deps, tx, decision, grants, public=False)
    kept = deps.renderer.render(DECISION_TEMPLATE, {**context, "audit": audit})
    basis = "; ".join(a["basis"] for a in context["decision"]["awards"] if a["basis"])
    public_text = public_sha = None
    if any(g.confidential for g in grants):
        public_text = deps.renderer.render(DECISION_TEMPLATE, {
            **decision_context(deps, tx, decision, grants, public=True), "audit": audit})
        public_sha = sha256_text(public_text)
    digest = sha256_text(kept)
    tx.decisions.set_document(decision_id, kept, digest, public_text, public_sha, anchor,
                              basis or None)
    print_issued(tx, "decision", decision_id, public_text or kept)  # the copy sent out
    payload: dict[str, Any] = {
        "decision": decision.number, "decision_id": str(decision.id),
        "unit": decision.unit_id, "date": decision.decided_on,
        "items": [str(g.nomination_id) for g in grants if g.nomination_id is not None],
        "grants": [str(g.id) for g in grants], "sha256": digest}
    if public_sha:
        payload["public_sha256"] = public_sha
    tx.audit.append(deps.now(), decision.issued_by, "decided", None, None, None, payload)
    return payload
