"""Nominations: insert, read, compare-and-set save, and the pages lists read.

Every state entry is also a row of ``stage_visit`` (entered, left, due), written here with the
item itself so no move can forget it: reports aggregate durations and lateness from it. A
move writes two rows of it (closes the stay it left, opens the next), both by primary key.

Must not import the service or anything above the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from workflow.errors import Conflict
from workflow.store.raw import Raw, placeholders
from workflow.store.rows import NominationRow, columns, decoder, dumps

__all__ = ["ItemRepo"]

_COLUMNS = columns(NominationRow)
_decode = decoder(NominationRow)


class ItemRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def insert(self, *, flow_id: str, flow_version: str, state: str, unit_id: str,
               nominee: str, person_login: str | None, fields: dict[str, Any],
               created_at: datetime, created_by: str, confidential: bool = False,
               nominee_unit: str | None = None) -> NominationRow:
        """A new item in its first state entry (version 1, entry 1); ``nominee_unit``: the
        unit nominated for a collective title."""
        raw = self.raw
        row = raw.one(
            "INSERT INTO nomination (flow_id, flow_version, state, version, unit_id, nominee, "
            "person_login, fields, created_at, created_by, entered_at, entry_no, due_at, final, "
            f"outcome, hold_data, confidential, nominee_unit) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, "
            f"?, ?, 1, NULL, ?, NULL, NULL, ?, ?) RETURNING {_COLUMNS}",
            (flow_id, flow_version, state, unit_id, nominee, person_login, dumps(fields),
             raw.time_out(created_at), created_by, raw.time_out(created_at), False,
             confidential, nominee_unit))
        assert row is not None
        item = _decode(row)
        self._visit(item)
        return item

    def _visit(self, item: NominationRow, left: tuple[str, int] | None = None) -> None:
        """Open the stay of the item's current state entry, closing the one it ``left``
        (``(state, entry_no)``; None: a new item)."""
        raw = self.raw
        entered = raw.time_out(item.entered_at)
        if left is not None:
            span = ("EXTRACT(EPOCH FROM (CAST(? AS timestamptz) - entered_at)) / 86400.0"
                    if raw.pg else "julianday(?) - julianday(entered_at)")
            self._stay(f"left_at = ?, days = {span}", (entered, entered), item, *left)
        raw.run("INSERT INTO stage_visit (flow_id, state, nomination_id, entry_no, unit_id, "
                "created_at, entered_at, left_at, days, due_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
                (item.flow_id, item.state, item.id, item.entry_no, item.unit_id,
                 raw.time_out(item.created_at), entered, raw.time_out(item.due_at)))

    def _stay(self, sets: str, values: Sequence[Any], item: NominationRow, state: str,
              entry_no: int) -> None:
        """Set ``sets`` on the open stay of ``entry_no``, found by its primary key (the
        item's flow and unit never change; ``state`` is the entry's). A stay kept under
        another state (a database upgraded from before 0016, whose flow migrations left
        stays under the state they started in) is looked for among the states the item's
        audit entries name: still by key, never by reading the table."""
        raw = self.raw
        found = raw.run(f"UPDATE stage_visit SET {sets} WHERE flow_id = ? AND state = ? AND "
                        "unit_id = ? AND nomination_id = ? AND entry_no = ? AND left_at IS NULL",
                        (*values, item.flow_id, state, item.unit_id, item.id, entry_no))
        if found == 0:
            raw.run(f"UPDATE stage_visit SET {sets} WHERE flow_id = ? AND state IN ("
                    "SELECT to_state FROM audit_entry WHERE nomination = ? AND "
                    "to_state IS NOT NULL) AND unit_id = ? AND nomination_id = ? AND "
                    "entry_no = ? AND left_at IS NULL",
                    (*values, item.flow_id, str(item.id), item.unit_id, item.id, entry_no))

    def get(self, nomination_id: int, *, lock: bool = False) -> NominationRow | None:
        sql = f"SELECT {_COLUMNS} FROM nomination WHERE id = ?"
        if lock and self.raw.pg:
            sql += " FOR UPDATE"
        row = self.raw.one(sql, (nomination_id,))
        return _decode(row) if row else None

    def get_many(self, ids: Iterable[int]) -> dict[int, NominationRow]:
        """The items of ``ids`` that exist, by id: one query per 500 (a page of notices reads
        its nominees at once, not one by one)."""
        wanted = sorted(set(ids))
        out: dict[int, NominationRow] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for r in self.raw.all(f"SELECT {_COLUMNS} FROM nomination WHERE id IN "
                                  f"({placeholders(chunk)})", chunk):
                row = _decode(r)
                out[row.id] = row
        return out

    def save(self, row: NominationRow, expected_version: int) -> None:
        """Write what changed if nobody changed the row since ``expected_version``; else
        :class:`Conflict`. Always bumps the version (so touching an item is a change)."""
        raw = self.raw
        sets = ["version = ?"]
        params: list[Any] = [expected_version + 1]
        changes = row.changes()
        for name, value in changes.items():
            sets.append(f"{name} = ?")
            if name in ("entered_at", "due_at"):
                params.append(raw.time_out(value))
            elif name == "fields":
                params.append(dumps(value))
            else:
                params.append(value)
        params += [row.id, expected_version]
        count = raw.run(f"UPDATE nomination SET {', '.join(sets)} WHERE id = ? AND version = ?",
                        params)
        if count != 1:
            raise Conflict(
                f"nomination {row.id} was changed by someone else (expected version "
                f"{expected_version}); reload it and try again",
                msgid="item.changed",
                id=str(row.id),
                expected_version=expected_version,
            )
        left = (str(row.stored.get("state", row.state)),
                int(row.stored.get("entry_no", row.entry_no)))
        row.version = expected_version + 1
        row.snapshot()
        if "entry_no" in changes:
            self._visit(row, left)
        elif "state" in changes:
            # a flow migration maps the entry to a state of the new version: its stay (and
            # its due time) follows, so reports count it where the item is and leaves from
            self._stay("state = ?, due_at = ?", (row.state, raw.time_out(row.due_at)), row,
                       *left)
        elif "due_at" in changes:  # set after entry (the first state) or paused and resumed
            self._stay("due_at = ?", (raw.time_out(row.due_at),), row, row.state,
                       row.entry_no)

    def in_flight(self, flow_id: str) -> list[NominationRow]:
        """Every item of ``flow_id`` not in a final state, oldest first (a flow migration
        moves them all in one transaction)."""
        rows = self.raw.all(f"SELECT {_COLUMNS} FROM nomination WHERE flow_id = ? AND "
                            "final = ? ORDER BY id", (flow_id, False))
        return [_decode(r) for r in rows]

    def repin(self, nomination_id: int, version: str) -> None:
        """Pin an item to another version of its flow (a migration, in its transaction)."""
        self.raw.run("UPDATE nomination SET flow_version = ? WHERE id = ?",
                     (version, nomination_id))

    def state_counts(self, flow_id: str) -> list[tuple[str, str, bool, int]]:
        """``(flow_version, state, final, items)`` of ``flow_id``."""
        rows = self.raw.all("SELECT flow_version, state, final, COUNT(*) FROM nomination "
                            "WHERE flow_id = ? GROUP BY flow_version, state, final "
                            "ORDER BY flow_version, state", (flow_id,))
        return [(str(v), str(s), bool(f), int(n)) for v, s, f, n in rows]

    def page(self, *, state: str | None = None, flow: str | None = None,
             units: Sequence[str] | None = None, overdue_at: datetime | None = None,
             open_only: bool = False, after_id: int = 0, limit: int = 500,
             steps: Sequence[tuple[str, str]] | None = None, year: int | None = None,
             objections: bool = False) -> list[NominationRow]:
        """One page in id order; callers page with ``after_id`` (nothing loads everything).
        ``steps`` and ``year`` narrow as in :meth:`newest`; with ``overdue_at``,
        ``objections`` also takes items with an open objection past its handling deadline."""
        conds, params = self._filters(state, flow, units, overdue_at, open_only, objections)
        self._narrow(conds, params, steps, year)
        conds.append("id > ?")
        params.append(after_id)
        return self._select(conds, params, "id", limit)

    def newest(self, *, units: Sequence[str], before_id: int | None, limit: int,
               state: str | None = None, flow: str | None = None,
               steps: Sequence[tuple[str, str]] | None = None, year: int | None = None
               ) -> list[NominationRow]:
        """Items of these units, newest first; page with ``before_id``. ``steps`` keeps
        items at one of these ``(flow, state)`` pairs; ``year`` those whose ``year`` field is
        that year."""
        conds, params = self._filters(state, flow, units, None, False)
        self._narrow(conds, params, steps, year)
        if before_id is not None:
            conds.append("id < ?")
            params.append(before_id)
        return self._select(conds, params, "id DESC", limit)

    def open_of(self, logins: Sequence[str]) -> list[NominationRow]:
        """Items not yet final whose nominee is one of ``logins`` (people of the directory)."""
        wanted = sorted(set(logins))
        out: list[NominationRow] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.raw.all(f"SELECT {_COLUMNS} FROM nomination WHERE person_login IN "
                                f"({placeholders(chunk)}) AND final = ? ORDER BY id",
                                (*chunk, False))
            out.extend(_decode(r) for r in rows)
        return out

    def open_for(self, *, person: str | None = None, nominee_unit: str | None = None
                 ) -> list[NominationRow]:
        """Items not yet final of the person ``person`` or of the collective
        ``nominee_unit`` (by ``ix_nomination_person`` and ``ix_nomination_nominee_unit``):
        what "one achievement, one award" compares a new nomination with."""
        out: dict[int, NominationRow] = {}
        for column, value in (("person_login", person), ("nominee_unit", nominee_unit)):
            if value is None:
                continue
            for r in self.raw.all(f"SELECT {_COLUMNS} FROM nomination WHERE {column} = ? "
                                  "AND final = ? ORDER BY id", (value, False)):
                row = _decode(r)
                out[row.id] = row
        return [out[k] for k in sorted(out)]

    def due_counts(self, now: datetime) -> dict[str, int]:
        """Open items with a due time, and those of them overdue at ``now``."""
        row = self.raw.one(
            "SELECT count(*), coalesce(sum(CASE WHEN due_at < ? THEN 1 ELSE 0 END), 0) "
            "FROM nomination WHERE final = ? AND due_at IS NOT NULL",
            (self.raw.time_out(now), False))
        assert row is not None
        return {"due": int(row[0]), "overdue": int(row[1])}

    def count(self) -> int:
        row = self.raw.one("SELECT count(*) FROM nomination")
        return int(row[0]) if row else 0

    def entered_by(self, nomination_id: int, state: str) -> str | None:
        """Who moved the item into ``state`` most recently (from its audit entries); a return
        from a hold is not a move someone decided, so it does not count."""
        row = self.raw.one(
            "SELECT actor FROM audit_entry WHERE nomination = ? AND to_state = ? "
            "AND (from_state IS NULL OR from_state <> to_state) AND action <> 'resumed' "
            "ORDER BY seq DESC LIMIT 1",
            (str(nomination_id), state))
        return None if row is None else str(row[0])

    def _filters(self, state: str | None, flow: str | None, units: Sequence[str] | None,
                 overdue_at: datetime | None, open_only: bool, objections: bool = False
                 ) -> tuple[list[str], list[Any]]:
        conds: list[str] = []
        params: list[Any] = []
        if state:
            conds.append("state = ?")
            params.append(state)
        if flow:
            conds.append("flow_id = ?")
            params.append(flow)
        if units is not None:
            conds.append(f"unit_id IN ({placeholders(units)})" if units else "1 = 0")
            params.extend(units)
        if overdue_at is not None and objections:
            # past the SLA, or with an open objection past its handling deadline (which may be
            # a complaint against an award already granted: a final item)
            conds.append("((due_at IS NOT NULL AND due_at < ? AND final = ?) OR id IN ("
                         "SELECT nomination_id FROM objection WHERE status = 'open' AND "
                         "due_at IS NOT NULL AND due_at < ?))")
            at = self.raw.time_out(overdue_at)
            params.extend([at, False, at])
        elif overdue_at is not None:
            conds.append("due_at IS NOT NULL AND due_at < ?")
            params.append(self.raw.time_out(overdue_at))
        if (overdue_at is not None and not objections) or open_only:
            conds.append("final = ?")
            params.append(False)
        return conds, params

    @staticmethod
    def _narrow(conds: list[str], params: list[Any],
                steps: Sequence[tuple[str, str]] | None, year: int | None) -> None:
        if steps is not None:
            conds.append("(" + " OR ".join(["(flow_id = ? AND state = ?)"] * len(steps)) + ")"
                         if steps else "1 = 0")
            params.extend(v for pair in steps for v in pair)
        if year is not None:
            # fields are canonical JSON (sorted keys, no spaces): a key is '"year":' exactly
            # (inside a string value a quote would be escaped), followed by , or }
            conds.append("(fields LIKE ? OR fields LIKE ?)")
            params += [f'%"year":{int(year)},%', f'%"year":{int(year)}}}%']

    def _select(self, conds: list[str], params: list[Any], order: str, limit: int
                ) -> list[NominationRow]:
        where = f"WHERE {' AND '.join(conds)} " if conds else ""
        rows = self.raw.all(f"SELECT {_COLUMNS} FROM nomination {where}ORDER BY {order} "
                            "LIMIT ?", (*params, limit))
        return [_decode(r) for r in rows]
