"""The aggregates reports are made of: every figure is a ``GROUP BY`` in the database, so a
report over a million nominations reads a few hundred rows, never the items themselves.

Scopes are lists of unit ids (a unit's subtree; None: every unit). Periods are UTC instants
``[start, end)`` (None: open). Durations are calendar days between two stored instants.
Medians and 90th percentiles are nearest-rank (the value at rank ⌈p·n⌉ of the sorted
durations), computed with window functions on SQLite and PostgreSQL alike.

Must not import the service or anything above the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from workflow.store.raw import Raw, placeholders

__all__ = ["ReportRepo"]

Rows = list[tuple[Any, ...]]


class ReportRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    # ---- building blocks ----------------------------------------------------------------

    def _days(self, later: str, earlier: str) -> str:
        """SQL for the calendar days from ``earlier`` to ``later`` (two time columns)."""
        if self.raw.pg:
            return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"
        return f"(julianday({later}) - julianday({earlier}))"

    def _where(self, conds: list[str], params: list[Any], column: str,
               start: datetime | None, end: datetime | None) -> None:
        if start is not None:
            conds.append(f"{column} >= ?")
            params.append(self.raw.time_out(start))
        if end is not None:
            conds.append(f"{column} < ?")
            params.append(self.raw.time_out(end))

    @staticmethod
    def _scope(conds: list[str], params: list[Any], column: str,
               units: Sequence[str] | None) -> None:
        if units is not None:
            conds.append(f"{column} IN ({placeholders(units)})" if units else "1 = 0")
            params.extend(units)

    def _cohort(self, units: Sequence[str] | None, start: datetime | None,
                end: datetime | None, alias: str = "n") -> tuple[str, list[Any]]:
        """WHERE text for nominations created in the period at units of the scope."""
        conds: list[str] = []
        params: list[Any] = []
        self._scope(conds, params, f"{alias}.unit_id", units)
        self._where(conds, params, f"{alias}.created_at", start, end)
        return (" AND ".join(conds) or "1 = 1"), params

    # ---- cycle ----------------------------------------------------------------------------

    def status(self, units: Sequence[str] | None, start: datetime | None,
               end: datetime | None, now: datetime) -> Rows:
        """Nominations created in the period by ``(flow, state, final, outcome)``: how many,
        and how many of them are open past their due time at ``now``."""
        where, params = self._cohort(units, start, end)
        return self.raw.all(
            "SELECT n.flow_id, n.state, n.final, n.outcome, count(*), "
            "sum(CASE WHEN n.final = ? AND n.due_at IS NOT NULL AND n.due_at < ? THEN 1 "
            f"ELSE 0 END) FROM nomination n WHERE {where} "
            "GROUP BY n.flow_id, n.state, n.final, n.outcome",
            (False, self.raw.time_out(now), *params))

    def stages(self, units: Sequence[str] | None, start: datetime | None,
               end: datetime | None, now: datetime) -> Rows:
        """Per ``(flow, state)``, over the stays of nominations created in the period:
        stays, finished stays, finished with a due time, finished on time, still there,
        still there and overdue at ``now``."""
        where, params = self._cohort(units, start, end, "v")
        return self.raw.all(
            "SELECT v.flow_id, v.state, count(*), "
            "sum(CASE WHEN v.left_at IS NOT NULL THEN 1 ELSE 0 END), "
            "sum(CASE WHEN v.left_at IS NOT NULL AND v.due_at IS NOT NULL THEN 1 ELSE 0 END), "
            "sum(CASE WHEN v.left_at IS NOT NULL AND v.due_at IS NOT NULL AND "
            "v.left_at <= v.due_at THEN 1 ELSE 0 END), "
            "sum(CASE WHEN v.left_at IS NULL THEN 1 ELSE 0 END), "
            "sum(CASE WHEN v.left_at IS NULL AND v.due_at IS NOT NULL AND v.due_at < ? "
            "THEN 1 ELSE 0 END) "
            f"FROM stage_visit v WHERE {where} GROUP BY v.flow_id, v.state",
            (self.raw.time_out(now), *params))

    def stage_durations(self, units: Sequence[str] | None, start: datetime | None,
                        end: datetime | None) -> Rows:
        """Per ``(flow, state)``: the nearest-rank median and 90th percentile of the days
        finished stays lasted (nominations created in the period). PostgreSQL has
        ``percentile_disc`` (which is nearest-rank); on SQLite each stage's durations are read
        in order from the ``days`` index up to the rank wanted, never sorted."""
        where, params = self._cohort(units, start, end, "v")
        if self.raw.pg:
            return self.raw.all(
                "SELECT v.flow_id, v.state, percentile_disc(0.5) WITHIN GROUP (ORDER BY "
                "v.days), percentile_disc(0.9) WITHIN GROUP (ORDER BY v.days) "
                f"FROM stage_visit v WHERE v.days IS NOT NULL AND {where} "
                "GROUP BY v.flow_id, v.state", params)
        out: Rows = []
        counts = self.raw.all(
            f"SELECT v.flow_id, v.state, count(*) FROM stage_visit v WHERE v.days IS NOT NULL "
            f"AND {where} GROUP BY v.flow_id, v.state", params)
        for flow_id, state, count in counts:
            # one walk up to the 90th percentile's rank: the smallest value of the ranks from
            # the median's on is the median, the largest the 90th percentile
            median, p90 = (count + 1) // 2, (9 * count + 9) // 10
            row = self.raw.one(
                "SELECT min(days), max(days) FROM (SELECT v.days AS days FROM stage_visit v "
                "INDEXED BY ix_stage_visit_days WHERE v.flow_id = ? AND v.state = ? AND "
                f"v.days IS NOT NULL AND {where} ORDER BY v.days LIMIT ? OFFSET ?)",
                (flow_id, state, *params, p90 - median + 1, median - 1))
            out.append((flow_id, state, *(row or (None, None))))
        return out

    # ---- timeliness -----------------------------------------------------------------------

    def _late(self) -> str:
        return ("((v.left_at IS NOT NULL AND v.due_at IS NOT NULL AND v.left_at > v.due_at) "
                "OR (v.left_at IS NULL AND v.due_at IS NOT NULL AND v.due_at < ?))")

    def late_stages(self, units: Sequence[str] | None, start: datetime | None,
                    end: datetime | None, now: datetime) -> Rows:
        """Per ``(unit, flow, state)``: stays with a due time, late and finished, late and
        still open at ``now``, the longest delay in days."""
        where, params = self._cohort(units, start, end, "v")
        now_out = self.raw.time_out(now)
        delay = self._days("coalesce(v.left_at, ?)", "v.due_at")
        return self.raw.all(
            "SELECT v.unit_id, v.flow_id, v.state, count(*), "
            "sum(CASE WHEN v.left_at IS NOT NULL AND v.left_at > v.due_at THEN 1 ELSE 0 END), "
            "sum(CASE WHEN v.left_at IS NULL AND v.due_at < ? THEN 1 ELSE 0 END), "
            f"max(CASE WHEN {self._late()} THEN {delay} END) "
            f"FROM stage_visit v WHERE v.due_at IS NOT NULL AND {where} "
            "GROUP BY v.flow_id, v.state, v.unit_id",  # the table's own order: no sort
            (now_out, now_out, now_out, *params))

    def longest_delays(self, units: Sequence[str] | None, start: datetime | None,
                       end: datetime | None, now: datetime, limit: int = 20) -> Rows:
        """The ``limit`` late stays with the longest delays: item, unit, flow, state,
        due, left (None: still there), delay in days."""
        where, params = self._cohort(units, start, end, "v")
        now_out = self.raw.time_out(now)
        delay = self._days("coalesce(v.left_at, ?)", "v.due_at")
        return self.raw.all(
            f"SELECT v.nomination_id, v.unit_id, v.flow_id, v.state, v.due_at, v.left_at, "
            f"{delay} AS delay FROM stage_visit v "
            f"WHERE {self._late()} AND {where} ORDER BY delay DESC, v.nomination_id LIMIT ?",
            (now_out, now_out, *params, limit))

    def objections(self, units: Sequence[str] | None, start: datetime | None,
                   end: datetime | None, now: datetime) -> Rows:
        """Objections filed in the period against items of the scope, per nominating unit:
        filed, open, upheld, dismissed, the longest days one has waited (still open, to
        ``now``) and the longest days one took to resolve."""
        conds: list[str] = []
        params: list[Any] = []
        self._scope(conds, params, "n.unit_id", units)
        self._where(conds, params, "o.filed_at", start, end)
        where = " AND ".join(conds) or "1 = 1"
        waited = self._days("?", "o.filed_at")
        took = self._days("o.resolved_at", "o.filed_at")
        return self.raw.all(
            "SELECT n.unit_id, count(*), "
            "sum(CASE WHEN o.status = 'open' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN o.status = 'upheld' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN o.status = 'dismissed' THEN 1 ELSE 0 END), "
            f"max(CASE WHEN o.status = 'open' THEN {waited} END), "
            f"max(CASE WHEN o.resolved_at IS NOT NULL THEN {took} END) "
            "FROM objection o JOIN nomination n ON n.id = o.nomination_id "
            f"WHERE {where} GROUP BY n.unit_id",
            (self.raw.time_out(now), *params))

    # ---- awards and nominations, with the priority groups --------------------------------

    def _groups(self, grassroots: Sequence[str], collective: str) -> tuple[str, list[Any]]:
        """The sums of the priority groups over rows joined to ``p`` (the person, if any) and
        ``u`` (the unit the award goes to: where the person works, else the nominating
        unit); ``collective`` is the SQL that is true for a collective's row."""
        levels = f"u.level IN ({placeholders(grassroots)})" if grassroots else "1 = 0"
        return (
            "count(*), "
            f"sum(CASE WHEN {collective} THEN 1 ELSE 0 END), "
            "sum(CASE WHEN p.gender = 'F' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN p.minority = ? THEN 1 ELSE 0 END), "
            "sum(CASE WHEN p.direct_worker = ? THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN {levels} THEN 1 ELSE 0 END), "
            "sum(CASE WHEN u.remote = ? THEN 1 ELSE 0 END)",
            [True, True, *grassroots, True])

    def award_groups(self, units: Sequence[str] | None, first: date | None,
                     last: date | None, grassroots: Sequence[str]) -> Rows:
        """The register's grants by a decision dated ``first``..``last`` (local days, both
        included; None: open) to awardees of the scope (the nominating unit), per award and
        status: ``(award, status, total, collectives, women, minority, direct workers,
        grassroots, remote)``. Imported awards have no decision and are not counted here;
        a revoked grant comes back under ``revoked``."""
        sums, sum_params = self._groups(grassroots, "g.kind = 'collective'")
        conds = ["g.source = 'decision'"]
        params: list[Any] = []
        self._scope(conds, params, "g.unit_id", units)
        if first is not None:
            conds.append("d.decided_on >= ?")
            params.append(first.isoformat())
        if last is not None:
            conds.append("d.decided_on <= ?")
            params.append(last.isoformat())
        return self.raw.all(
            f"SELECT g.award, g.status, {sums} FROM award_grant g "
            "JOIN decision d ON d.id = g.decision_id "
            "LEFT JOIN person p ON p.login = g.person_login "
            "LEFT JOIN unit u ON u.id = coalesce(p.unit_id, g.unit_id) "
            f"WHERE {' AND '.join(conds)} GROUP BY g.award, g.status",
            (*sum_params, *params))

    def nomination_groups(self, units: Sequence[str] | None, start: datetime | None,
                          end: datetime | None, grassroots: Sequence[str]) -> Rows:
        """Nominations created in the period per flow, with the same sums as
        :meth:`award_groups`."""
        sums, sum_params = self._groups(grassroots, "n.person_login IS NULL")
        where, params = self._cohort(units, start, end)
        return self.raw.all(
            f"SELECT n.flow_id, {sums} FROM nomination n "
            "LEFT JOIN person p ON p.login = n.person_login "
            "LEFT JOIN unit u ON u.id = coalesce(p.unit_id, n.unit_id) "
            f"WHERE {where} GROUP BY n.flow_id", (*sum_params, *params))

    # ---- eligible -------------------------------------------------------------------------

    def histories(self, units: Sequence[str] | None, codes: Sequence[str]
                  ) -> Rows:
        """``(login, name, unit, award, year, ad_hoc)`` of the register's grants in ``codes``
        not revoked (decided or imported: the eligibility history) of people who work at a
        unit of the scope, ordered by login (one person's rows together)."""
        if not codes:
            return []
        conds = [f"a.award IN ({placeholders(codes)})", "a.status = 'granted'"]
        params: list[Any] = list(codes)
        self._scope(conds, params, "p.unit_id", units)
        if units is None:
            conds.append("p.unit_id IS NOT NULL")
        return self.raw.all(
            "SELECT p.login, p.name, p.unit_id, a.award, a.year, a.ad_hoc FROM award_grant a "
            f"JOIN person p ON p.login = a.person_login WHERE {' AND '.join(conds)} "
            "ORDER BY p.login, a.year", params)

    def nominated(self, logins: Sequence[str], flows: Sequence[str], year: int,
                  start: datetime | None, end: datetime | None) -> Rows:
        """Distinct ``(login, flow)`` of nominations of ``logins`` in ``flows`` for ``year``
        (their ``year`` field, or, without one, created in ``[start, end)``) that were not
        withdrawn — a few rows per person, never their whole record."""
        out: Rows = []
        if not flows:
            return out
        wanted = sorted(set(logins))
        # fields are canonical JSON (sorted keys, no spaces): the key is '"year":' exactly
        marks = [f'%"year":{int(year)},%', f'%"year":{int(year)}}}%']
        created: list[str] = []
        params: list[Any] = []
        self._where(created, params, "created_at", start, end)
        no_year = " AND ".join(["fields NOT LIKE ?", *created])
        for first in range(0, len(wanted), 500):
            chunk = wanted[first:first + 500]
            out.extend(self.raw.all(
                "SELECT DISTINCT person_login, flow_id FROM nomination WHERE "
                f"person_login IN ({placeholders(chunk)}) AND flow_id IN "
                f"({placeholders(flows)}) AND (outcome IS NULL OR outcome <> 'withdrawn') "
                f"AND (fields LIKE ? OR fields LIKE ? OR ({no_year}))",
                (*chunk, *flows, *marks, '%"year":%', *params)))
        return out
