"""For the public: the notice board, a notice, a nominee (and, through
:class:`~workflow.service.facades.items.Items`, objections while a window is open).

The public learns nothing of nominations that were not put before it: an item never
published answers exactly like an item that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from workflow.errors import NotFound
from workflow.ids import decimal, parse_id, shorten
from workflow.service.base import Deps, load, paged
from workflow.service.lifecycle.notice import window_open
from workflow.service.present import flow_words
from workflow.service.queries import notices_page, receipt_status
from workflow.store import Tx

__all__ = ["Public"]


class Public:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def notices(self, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Every notice with its nominees and windows, oldest first (``award notices``)."""
        return paged(self._deps, lambda tx, after, size: notices_page(self._deps, tx, after,
                                                                      size),
                     lambda row: int(row["id"]), limit)

    def unit_names(self) -> dict[str, str]:
        """Every unit of the directory by id: its name (public: notices name them)."""
        deps = self._deps
        return deps.run(lambda tx: {u.id: u.name for u in deps.tree(tx).units.values()})

    def award_titles(self) -> dict[str, dict[str, str]]:
        """The catalogue's award titles by code, ``{vi, en}``."""
        return {code: dict(a.title) for code, a in self._deps.definitions.catalogue.awards.items()}

    def flow_words(self, flow_id: str) -> dict[str, Any]:
        """The words of a flow as its file has it now (see
        :func:`~workflow.service.present.flow_words`); NotFound for an unknown flow."""
        return flow_words(self._deps.definitions.flow(flow_id))

    def item_words(self, nomination_id: str) -> dict[str, Any]:
        """The words of the flow version an item is pinned to (flows are public: this says
        nothing about the item but which flow it follows); NotFound for no such item."""
        deps = self._deps
        return deps.run(lambda tx: flow_words(load(deps, tx, nomination_id)[1].spec))

    def notice_html(self, notice_id: str) -> str:
        key = parse_id(notice_id, "notice")
        html = self._deps.run(lambda tx: tx.notices.html(key))
        if html is None:
            raise NotFound(f"no notice {key}", msgid="notice.unknown", id=str(key))
        return html

    def receipt(self, code: str) -> dict[str, Any]:
        """An objection looked up by its receipt code (NotFound for any code that is not one,
        however typed): for the person who filed it."""
        return self._deps.run(lambda tx: receipt_status(self._deps, tx, code))

    def version(self) -> tuple[tuple[int, int], int]:
        """``(data, second)``: what changes whenever what the public pages show may have —
        the audit chain's head (every change of an item, a notice, an objection, a decision or
        a grant is audited) and the directory's generation (names of units and people) — and
        the clock's second (an objection window ends at its deadline, with no change to the
        data)."""
        deps = self._deps
        return deps.run(lambda tx: ((tx.audit.last_seq(), tx.directory.generation()),
                                    int(deps.now().timestamp())))

    def board(self, *, before: int | None = None, limit: int = 50
              ) -> tuple[dict[str, Any], ...]:
        """Public notices, newest first, with what the public may know of each nominee (no
        state, no fields): name, unit, whether objections are accepted now."""
        def work(tx: Tx) -> tuple[dict[str, Any], ...]:
            ids = tx.notices.newest_ids(before, limit)
            if not ids:
                return ()
            # the page's notices in one read (ids are ascending there, newest first here)
            low, high = min(ids), max(ids)
            views = {int(v["id"]): v
                     for v in notices_page(self._deps, tx, low - 1, high - low + 1)}
            return tuple(self._shape(tx, views[i]) for i in ids if i in views)

        return self._deps.run(work)

    def notice(self, notice_id: str) -> dict[str, Any]:
        key = parse_id(notice_id, "notice")
        view = self._deps.run(lambda tx: self._notice(tx, key))
        if view is None:
            raise NotFound(f"no notice {key}", msgid="notice.unknown", id=str(key))
        return view

    def nominee(self, nomination_id: str) -> dict[str, Any]:
        """A nominee as the public sees them: only items that were on a public notice."""
        deps = self._deps
        key = decimal(nomination_id)
        named = str(key) if key else repr(shorten(nomination_id))
        hidden = NotFound(f"no nominee {named} on a public notice", msgid="public.no_nominee",
                          id=str(key) if key else shorten(nomination_id))

        def work(tx: Tx) -> dict[str, Any]:
            if not key:
                raise hidden
            try:
                item, machine = load(deps, tx, key)
            except NotFound:
                raise hidden from None
            notice = tx.notices.latest_for(item.id)
            if notice is None:
                raise hidden
            view = self._notice(tx, notice.id)
            assert view is not None
            flow = machine.spec
            open_ = window_open(deps, tx, item, flow, deps.now())
            due = tx.timers.window_due(item.id, item.entry_no) if open_ else None
            entry = next((n for n in view["nominees"] if n["id"] == str(item.id)), None)
            if entry is None:  # a confidential nominee: the public knows only a count
                raise hidden
            grant = tx.grants.of_nomination(item.id)
            decision = tx.decisions.get(grant.decision_id) if grant and grant.decision_id \
                else None
            return {**entry, "flow": flow.id, "title": dict(flow.title),
                    "award": flow.award, "award_title": view["award_title"],
                    "notice": {k: v for k, v in view.items() if k != "nominees"},
                    "window_ends_at": deps.iso(due) if due else None,
                    # once decided: the decision and whether the award still stands
                    "granted": None if grant is None else {
                        "decision": decision.number if decision else None,
                        "decided_on": decision.decided_on if decision else None,
                        "status": grant.status, "revoked_at": deps.iso(grant.revoked_at)}}

        return deps.run(work)

    def _notice(self, tx: Tx, notice_id: int) -> dict[str, Any] | None:
        rows = notices_page(self._deps, tx, notice_id - 1, 1)
        if not rows or rows[0]["id"] != str(notice_id):
            return None
        return self._shape(tx, rows[0])

    def _shape(self, tx: Tx, view: dict[str, Any]) -> dict[str, Any]:
        """A notice as the public sees it, from its :func:`notices_page` row."""
        deps = self._deps
        tree = deps.tree(tx)
        spec = deps.definitions.flows.get(view["flow"])
        award = deps.definitions.catalogue.get(spec.award) if spec else None
        nominees = []
        for entry in view["nominees"]:
            unit = tree.units.get(entry["unit"])
            nominees.append({
                "id": entry["id"], "nominee": entry["nominee"], "unit": entry["unit"],
                "unit_name": unit.name if unit else entry["unit"],
                "window_open": entry["window_open"], "window_ends_at": entry["window_ends_at"]})
        return {
            "id": view["id"], "flow": view["flow"],
            "title": dict(spec.title) if spec else {"vi": view["flow"]},
            "award": spec.award if spec else None,
            "award_title": dict(award.title) if award else None,
            "unit": view["unit"], "unit_name": view["unit_name"], "day": view["day"],
            "starts_at": view["starts_at"], "ends_at": view["ends_at"],
            "extended_to": view["extended_to"],
            "status": view["status"], "sha256": view["sha256"],
            "pdf_sha256": view["pdf_sha256"],
            "audit_head": view["audit_head"], "nominees": nominees,
            "confidential": view["confidential"],
        }
