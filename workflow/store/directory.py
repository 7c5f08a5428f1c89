"""The directory: units, people, role grants, and the award history of people.

Must not import the service or anything above the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from workflow.catalogue import HistoryEntry
from workflow.directory import DirectoryData, PersonEntry, UnitEntry
from workflow.flow import fold
from workflow.store.grants import GrantRepo
from workflow.store.meta import MetaRepo
from workflow.store.raw import Raw, placeholders

__all__ = ["DirectoryRepo"]

_PERSON = ("login", "name", "email", "password_hash")


class DirectoryRepo:
    def __init__(self, raw: Raw, meta: MetaRepo) -> None:
        self.raw = raw
        self.meta = meta

    def generation(self) -> int:
        """Bumped by every load that changes something: caches of the tree key on it."""
        return int(self.meta.get("directory_generation") or 0)

    def units(self) -> list[UnitEntry]:
        return [UnitEntry(r[0], r[1], r[2], r[3], bool(r[4])) for r in
                self.raw.all("SELECT id, name, level, parent_id, remote FROM unit")]

    def has_role(self, login: str, role: str, unit_id: str) -> bool:
        return self.raw.one(
            "SELECT 1 FROM role_grant WHERE login = ? AND role = ? AND unit_id = ?",
            (login, role, unit_id)) is not None

    def holders(self, role: str, unit_id: str) -> list[str]:
        rows = self.raw.all("SELECT login FROM role_grant WHERE role = ? AND unit_id = ? "
                            "ORDER BY login", (role, unit_id))
        return [r[0] for r in rows]

    def roles_of(self, login: str) -> list[tuple[str, str]]:
        rows = self.raw.all("SELECT role, unit_id FROM role_grant WHERE login = ? "
                            "ORDER BY unit_id, role", (login,))
        return [(r[0], r[1]) for r in rows]

    def person(self, login: str) -> dict[str, Any] | None:
        row = self.raw.one(f"SELECT {', '.join(_PERSON)} FROM person WHERE login = ?", (login,))
        return dict(zip(_PERSON, row, strict=True)) if row else None

    def people(self, logins: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``{login: {login, name, unit_id}}`` for those of ``logins`` in the directory
        (``unit_id``: where they work, if known), a query per 500."""
        wanted = sorted(set(logins))
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.raw.all(f"SELECT login, name, unit_id FROM person WHERE login IN "
                                f"({placeholders(chunk)})", chunk)
            out.update({r[0]: {"login": r[0], "name": r[1], "unit_id": r[2]} for r in rows})
        return out

    def people_at(self, units: Sequence[str]) -> list[dict[str, Any]]:
        """People who work at one of ``units`` or hold a role there, by name:
        ``{login, name, unit_id}`` (``unit_id``: where they work, if known)."""
        if not units:
            return []
        marks = placeholders(units)
        rows = self.raw.all(
            f"SELECT login, name, unit_id FROM person WHERE unit_id IN ({marks}) OR login IN "
            f"(SELECT login FROM role_grant WHERE unit_id IN ({marks})) ORDER BY name, login",
            (*units, *units))
        return [{"login": r[0], "name": r[1], "unit_id": r[2]} for r in rows]

    def logins(self) -> list[str]:
        return [r[0] for r in self.raw.all("SELECT login FROM person")]

    def names(self, logins: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(logins))
        if not wanted:
            return {}
        rows = self.raw.all(f"SELECT login, name FROM person WHERE login IN "
                            f"({placeholders(wanted)})", wanted)
        return {r[0]: r[1] for r in rows}

    def apply(self, data: DirectoryData) -> dict[str, int]:
        """Upsert units, people, grants and prior awards; return what changed."""
        raw = self.raw
        counts = {"units": 0, "people": 0, "roles": 0, "awards": 0}
        for unit in data.units:
            values = (unit.name, unit.level, unit.parent, unit.remote)
            current = raw.one("SELECT name, level, parent_id, remote FROM unit WHERE id = ?",
                              (unit.id,))
            if current is None:
                raw.run("INSERT INTO unit (id, name, level, parent_id, remote) "
                        "VALUES (?, ?, ?, ?, ?)", (unit.id, *values))
                counts["units"] += 1
            elif (*current[:3], bool(current[3])) != values:
                raw.run("UPDATE unit SET name = ?, level = ?, parent_id = ?, remote = ? "
                        "WHERE id = ?", (*values, unit.id))
                counts["units"] += 1
        for person in data.people:
            current = raw.one("SELECT name, email FROM person WHERE login = ?", (person.login,))
            changed = False
            if current is None:
                raw.run("INSERT INTO person (login, name, email) VALUES (?, ?, ?)",
                        (person.login, person.name, person.email))
                changed = True
            elif tuple(current) != (person.name, person.email):
                raw.run("UPDATE person SET name = ?, email = ? WHERE login = ?",
                        (person.name, person.email, person.login))
                changed = True
            if person.unit is not None:  # a file that does not say leaves what is known
                changed = raw.run(
                    "UPDATE person SET unit_id = ? WHERE login = ? AND (unit_id IS NULL OR "
                    "unit_id <> ?)", (person.unit, person.login, person.unit)) == 1 or changed
            changed = self._groups(person) or changed
            counts["people"] += changed
            for role, unit_id in person.roles:
                if not self.has_role(person.login, role, unit_id):
                    raw.run("INSERT INTO role_grant (login, role, unit_id) VALUES (?, ?, ?)",
                            (person.login, role, unit_id))
                    counts["roles"] += 1
        grants = GrantRepo(raw)
        known = self.people(a.person for a in data.awards)
        for award in data.awards:
            holder = known.get(award.person, {})
            if grants.import_prior(award.person, holder.get("name") or award.person,
                                   holder.get("unit_id"), award.award, award.year,
                                   fold(holder.get("name") or award.person)):
                counts["awards"] += 1
        if any(counts.values()):
            self.meta.set("directory_generation", str(self.generation() + 1))
        return counts

    def _groups(self, person: PersonEntry) -> bool:
        """Write the priority-group attributes the file gives (one it leaves out is kept)."""
        said = {"gender": person.gender, "ethnicity": person.ethnicity,
                "minority": person.minority, "direct_worker": person.direct_worker}
        said = {k: v for k, v in said.items() if v is not None}
        if not said:
            return False
        row = self.raw.one(f"SELECT {', '.join(said)} FROM person WHERE login = ?",
                           (person.login,))
        current = dict(zip(said, row or (), strict=False))
        if all(current.get(k) is not None and (bool(current[k]) if isinstance(v, bool)
                                               else current[k]) == v for k, v in said.items()):
            return False
        self.raw.run(f"UPDATE person SET {', '.join(f'{k} = ?' for k in said)} WHERE login = ?",
                     (*said.values(), person.login))
        return True

    def history(self, login: str) -> list[HistoryEntry]:
        """The person's eligibility history: their grants not revoked (see
        :meth:`GrantRepo.history`)."""
        return GrantRepo(self.raw).history(login)
