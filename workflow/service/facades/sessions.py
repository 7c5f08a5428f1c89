"""For councils that meet: the secretariat opens a session, members cast one paper each,
the secretariat closes it; anyone with a role at the council's unit or above follows it.

Each method is one use case in one unit of work. Writes take SQLite's write lock up front
(``immediate``): a paper touches every item of the meeting, and waiting for the lock at the
start costs less than losing the whole paper to a stale snapshot halfway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflow.errors import NotAllowed, NotFound, PermissionDenied
from workflow.service import access
from workflow.service.base import Actor, Deps, paged
from workflow.service.commands import sessions
from workflow.service.present import item_summary
from workflow.service.queries import paper_view, session_summary, session_view
from workflow.store import Tx

__all__ = ["Sessions"]


class Sessions:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    # ---- commands ------------------------------------------------------------------------

    def open(self, actor: Actor, unit: str, items: list[str], title: str | None = None
             ) -> dict[str, Any]:
        return self._deps.run(lambda tx: sessions.open_session(
            self._deps, tx, actor, unit, items, title), immediate=True)

    def ballot(self, actor: Actor, session_id: str, marks: Mapping[str, str] | Sequence[str],
               written_for: str | None = None) -> dict[str, Any]:
        """One member's paper: every item they may vote on, marked ``yes|no|abstain`` — as
        ``{id: choice}`` or as ``["ID=CHOICE", …]`` the way the command line writes it."""
        chosen = dict(marks) if isinstance(marks, Mapping) else sessions.parse_marks(
            list(marks))
        return self._deps.run(lambda tx: sessions.cast_paper(
            self._deps, tx, actor, session_id, chosen, written_for), immediate=True)

    def close(self, actor: Actor, session_id: str) -> dict[str, Any]:
        return self._deps.run(lambda tx: sessions.close_session(
            self._deps, tx, actor, session_id), immediate=True)

    # ---- reads ---------------------------------------------------------------------------

    def show(self, session_id: str, actor: Actor | None = None) -> dict[str, Any]:
        """The session and, per item, roll and voted counts (tallies once closed); with
        ``actor``, only for someone with a role at the council's unit or above."""
        def work(tx: Tx) -> dict[str, Any]:
            session = sessions.get_session(tx, session_id)
            if actor is not None:
                self._check_sees(tx, actor, session.council_unit, session.id)
            return session_view(self._deps, tx, session)

        return self._deps.run(work)

    def paper(self, actor: Actor, session_id: str) -> dict[str, Any]:
        """``actor``'s paper for the session: every item and what they may mark on it."""
        def work(tx: Tx) -> dict[str, Any]:
            session = sessions.get_session(tx, session_id)
            self._check_sees(tx, actor, session.council_unit, session.id)
            return paper_view(self._deps, tx, session, actor)

        return self._deps.run(work)

    def minutes(self, session_id: str, actor: Actor | None = None) -> dict[str, Any]:
        """The minutes as issued when the session closed (``text`` and its ``sha256``)."""
        def work(tx: Tx) -> dict[str, Any]:
            session = sessions.get_session(tx, session_id)
            if actor is not None:
                self._check_sees(tx, actor, session.council_unit, session.id)
            stored = tx.sessions.minutes(session.id)
            if stored is None:
                raise NotAllowed(f"council session {session.id} is not closed yet; its "
                                 "minutes are written when it closes",
                                 msgid="session.not_closed", session=str(session.id))
            return {"session": str(session.id), "template": sessions.MINUTES,
                    "sha256": stored[1], "text": stored[0]}

        return self._deps.run(work)

    def find(self, *, actor: Actor | None = None, unit: str | None = None,
             status: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Sessions, oldest first, of one council or of the councils ``actor`` sees (all of
        them unless ``limit``; read a page at a time)."""
        deps = self._deps

        def scope(tx: Tx) -> list[str] | None:
            if unit is not None and unit not in deps.tree(tx).units:
                raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown",
                               unit=unit)
            units: list[str] | None = None if unit is None else [unit]
            if actor is not None:
                seen = set(access.reach(deps, tx, actor))
                units = sorted(seen if units is None else seen & set(units))
            return units

        units = deps.run(scope)

        def fetch(tx: Tx, after: int, size: int) -> list[dict[str, Any]]:
            return [session_summary(deps, tx, row) for row in tx.sessions.page(
                units=units, status=status, after_id=after, limit=size)]

        return list(paged(deps, fetch, lambda row: int(row["id"]), limit))

    def candidates(self, actor: Actor, unit: str) -> list[dict[str, Any]]:
        """Items the council of ``unit`` is voting on that no open session holds: what its
        secretariat may put on a new session's paper."""
        deps = self._deps

        def work(tx: Tx) -> list[dict[str, Any]]:
            if unit not in deps.tree(tx).units:
                raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown",
                               unit=unit)
            access.check_council_secretariat(deps, tx, actor, unit,
                                             f"open a session of the council of {unit}")
            rounds = tx.ballots.open_rounds(unit)
            held = tx.sessions.open_holding([r.id for r in rounds])
            now = deps.now()
            out = []
            for current in rounds:
                item = tx.items.get(current.nomination_id)
                if current.id in held or item is None or item.entry_no != current.entry_no:
                    continue
                out.append(item_summary(deps, item, now))
            return out

        return deps.run(work)

    def councils(self, actor: Actor) -> list[dict[str, str]]:
        """The councils whose sessions ``actor`` runs (secretariat there)."""
        def work(tx: Tx) -> list[dict[str, str]]:
            tree = self._deps.tree(tx)
            return [{"id": u, "name": tree.units[u].name if u in tree.units else u}
                    for r, u in tx.directory.roles_of(actor.login) if r == "secretariat"]

        return self._deps.run(work)

    def _check_sees(self, tx: Tx, actor: Actor, unit: str, session_id: int) -> None:
        if not access.sees(self._deps, tx, actor, unit):
            raise PermissionDenied(
                f"{actor.login} may not see council session {session_id}: no role at {unit} "
                "or a unit above it", msgid="session.not_visible",
                values={"id": str(session_id), "unit": unit}, actor=actor.login)
