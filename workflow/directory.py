"""The directory of units and people: the file format and scope resolution in the unit tree.

``award directory load FILE`` reads a file like::

    units:
      - {id: VN, name: "Trung ương", level: central}
      - {id: BN, name: "Tỉnh Bắc Ninh", level: province, parent: VN}
      - {id: BN-XA, name: "Xã Vùng Cao", level: commune, parent: BN, remote: true}
    people:
      - {login: lan, name: "Nguyễn Thị Lan", roles: [officer@BN-SGD], gender: F}
      - {login: an, name: "Nguyễn Văn An", unit: BN-SGD}      # unit: where they work
      - {login: sua, name: "Lò Văn Sủa", unit: BN-XA, gender: M, ethnicity: Thái,
         direct_worker: true}
    awards:
      - {person: lan, award: LDTT, year: 2025}
    registrations:      # đăng ký thi đua made before the engine (on paper), kept as they were
      - {campaign: bac-ninh-2026, unit: BN-SGD, person: an, award: CSTDCS}

The priority groups of the plans (SPEC §10.5) are optional attributes: a person's ``gender``
(``F`` or ``M``), ``ethnicity`` (``Kinh`` is the majority, any other an ethnic minority) and
``direct_worker`` (người lao động trực tiếp); a unit's ``remote`` (vùng sâu, vùng xa, biên
giới, hải đảo). Which unit levels are grassroots is the catalogue's to say.

Parsing is strict and located; the store applies the result idempotently. :class:`UnitTree`
resolves a flow's ``ROLE@SCOPE`` to a unit: ``unit`` is the nominating unit, ``parent`` its
parent, a level name the nearest ancestor-or-self of that level.

Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from workflow.flow import LEVELS, NAME_RE
from workflow.yamlnodes import Node, Problems, echo, parse_yaml, read_definition

__all__ = ["GENDERS", "MAJORITY_ETHNICITY", "DirectoryData", "PersonEntry", "PriorAward",
           "Registration", "UnitEntry", "UnitTree", "parse_directory"]

UNIT_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9_.-]*")
ID_LENGTH = 64  # unit ids and logins: what the store's columns hold
NAME_LENGTH = 200
#: Actors the audit log records for acts nobody in the directory did: a person with one of
#: these logins could not be told apart from them.
RESERVED_LOGINS = frozenset({"system", "public", "admin"})
#: ``gender:`` values: F (nữ), M (nam)
GENDERS = ("F", "M")
#: the majority ethnic group; a person of any other ``ethnicity`` is of an ethnic minority
MAJORITY_ETHNICITY = "Kinh"
ETHNICITY_LENGTH = 64
GRANT_RE = re.compile(r"([a-z][a-z0-9_]*)@([A-Za-z0-9][A-Za-z0-9_.-]*)")


@dataclass(frozen=True)
class UnitEntry:
    id: str
    name: str
    level: str
    parent: str | None
    remote: bool = False  # vùng sâu, vùng xa, biên giới, hải đảo, vùng đồng bào DTTS


@dataclass(frozen=True)
class PersonEntry:
    login: str
    name: str
    roles: tuple[tuple[str, str], ...]  # (role, unit id)
    email: str | None = None
    unit: str | None = None  # where the person works (đơn vị công tác), when known
    gender: str | None = None  # F | M, when known
    ethnicity: str | None = None  # dân tộc, when known
    direct_worker: bool | None = None  # người lao động trực tiếp, when known

    @property
    def minority(self) -> bool | None:
        """Of an ethnic minority (any ethnicity but the majority's), when known."""
        if self.ethnicity is None:
            return None
        return self.ethnicity.strip().casefold() != MAJORITY_ETHNICITY.casefold()


@dataclass(frozen=True)
class PriorAward:
    person: str
    award: str
    year: int


@dataclass(frozen=True)
class Registration:
    """A campaign registration recorded before the engine: the unit itself (``person``
    None) or one of its people, for an award of the campaign."""

    campaign: str
    unit: str
    person: str | None
    award: str


@dataclass(frozen=True)
class DirectoryData:
    units: tuple[UnitEntry, ...]
    people: tuple[PersonEntry, ...]
    awards: tuple[PriorAward, ...]
    registrations: tuple[Registration, ...] = ()


class UnitTree:
    """Units by id with parent links; resolves scopes."""

    def __init__(self, units: Iterable[UnitEntry]) -> None:
        self.units: dict[str, UnitEntry] = {u.id: u for u in units}

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.units

    def ancestors(self, unit_id: str) -> list[str]:
        """The unit itself, then its parent, up to the root."""
        chain: list[str] = []
        current: str | None = unit_id
        while current is not None and current in self.units and current not in chain:
            chain.append(current)
            current = self.units[current].parent
        return chain

    def resolve(self, unit_id: str, scope: str) -> str | None:
        if scope == "unit":
            return unit_id if unit_id in self.units else None
        if scope == "parent":
            unit = self.units.get(unit_id)
            return unit.parent if unit else None
        for candidate in self.ancestors(unit_id):
            if self.units[candidate].level == scope:
                return candidate
        return None

    def descendants(self, unit_id: str) -> set[str]:
        children: dict[str, list[str]] = {}
        for unit in self.units.values():
            if unit.parent:
                children.setdefault(unit.parent, []).append(unit.id)
        out: set[str] = set()
        stack = [unit_id]
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in out:
                    out.add(child)
                    stack.append(child)
        return out


def load_directory(path: Path, award_codes: Iterable[str] = ()) -> DirectoryData:
    return parse_directory(read_definition(path), str(path), award_codes)


def parse_directory(
    text: str,
    file: str,
    award_codes: Iterable[str] = (),
    existing_units: Mapping[str, UnitEntry] | None = None,
    existing_logins: Iterable[str] = (),
    campaigns: Mapping[str, Iterable[str]] | None = None,
) -> DirectoryData:
    """Parse and check a directory file; units, roles and prior awards may also refer to
    ``existing_units`` and ``existing_logins`` (what the store already holds).
    ``campaigns`` (id → its awards) checks the registrations section."""
    root = parse_yaml(text, file)
    p = Problems()
    top = p.mapping(root, "a directory file") if root is not None else None
    if top is None:
        if root is None:
            p.add_at(file, 1, 1, "empty directory file")
        p.raise_if_any()
        raise AssertionError
    p.keys(top, "the directory", ["units", "people", "awards", "registrations"])
    known = dict(existing_units or {})
    units = _units(p.sequence(top.get("units"), "units"), p, known)
    people = _people(p.sequence(top.get("people"), "people"), p, known)
    logins = {person.login for person in people} | set(existing_logins)
    codes = list(award_codes)
    awards: list[PriorAward] = []
    for item in p.sequence(top.get("awards"), "awards"):
        body = p.mapping(item, "an award")
        if body is None:
            continue
        p.keys(body, "an award", ["person", "award", "year"], required=["person", "award", "year"])
        person = p.string(body.get("person"), "person")
        if person and person not in logins:
            p.add(body.get("person") or body,
                  f"person {echo(person)} is not in this file's people or the directory")
        code = (p.choice(body.get("award"), "award", codes) if codes
                else p.string(body.get("award"), "award"))
        year = p.integer(body.get("year"), "year", minimum=1900, maximum=2100)
        if person and code and year:
            awards.append(PriorAward(person, code, year))
    registrations = _registrations(p.sequence(top.get("registrations"), "registrations"), p,
                                   known, logins, campaigns)
    p.raise_if_any()
    return DirectoryData(tuple(units), tuple(people), tuple(dict.fromkeys(awards)),
                         tuple(dict.fromkeys(registrations)))


def _registrations(items: list[Node], p: Problems, units: Mapping[str, UnitEntry],
                   logins: set[str], campaigns: Mapping[str, Iterable[str]] | None
                   ) -> list[Registration]:
    out: list[Registration] = []
    for item in items:
        body = p.mapping(item, "a registration")
        if body is None:
            continue
        p.keys(body, "a registration", ["campaign", "unit", "person", "award"],
               required=["campaign", "unit", "award"])
        if campaigns is not None:
            campaign = p.choice(body.get("campaign"), "campaign", sorted(campaigns))
        else:
            campaign = p.string(body.get("campaign"), "campaign")
        unit = p.string(body.get("unit"), "unit")
        if unit and unit not in units:
            p.add(body.get("unit") or body, f"unit {echo(unit)} is not a known unit")
            unit = None
        person = p.string(body.get("person"), "person")
        if person and person not in logins:
            p.add(body.get("person") or body,
                  f"person {echo(person)} is not in this file's people or the directory")
            person = None
        offered = list(campaigns.get(campaign, ())) if campaigns is not None and campaign else []
        award = (p.choice(body.get("award"), "award of the campaign", offered) if offered
                 else p.string(body.get("award"), "award"))
        if campaign and unit and award and (person or "person" not in body):
            out.append(Registration(campaign, unit, person, award))
    return out


def _units(items: list[Node], p: Problems, known: dict[str, UnitEntry]) -> list[UnitEntry]:
    out: list[UnitEntry] = []
    nodes: dict[str, Node] = {}
    for item in items:
        body = p.mapping(item, "a unit")
        if body is None:
            continue
        p.keys(body, "a unit", ["id", "name", "level", "parent", "remote"],
               required=["id", "name", "level"])
        uid = p.string(body.get("id"), "unit id", pattern=UNIT_ID_RE, max_length=ID_LENGTH,
                       hint="letters, digits, '.', '_' and '-'")
        name = p.string(body.get("name"), "unit name", max_length=NAME_LENGTH)
        level = p.choice(body.get("level"), "unit level", LEVELS)
        parent = p.string(body.get("parent"), "unit parent")
        remote = bool(p.boolean(body.get("remote"), "unit remote"))
        if uid is None or name is None or level is None:
            continue
        if uid in nodes:
            p.add(item, f"unit {echo(uid)} is listed twice (first at line {nodes[uid].line})")
            continue
        nodes[uid] = item
        unit = UnitEntry(uid, name, level, parent, remote)
        out.append(unit)
        known[uid] = unit
    for unit in out:
        if unit.parent is not None and unit.parent not in known:
            p.add(nodes[unit.id],
                  f"unit {echo(unit.id)}: parent {echo(unit.parent)} is not a known unit")
    for unit in out:
        seen: set[str] = set()
        current: str | None = unit.id
        while current is not None and current in known:
            if current in seen:
                p.add(nodes[unit.id], f"unit {echo(unit.id)}: its parents form a cycle")
                break
            seen.add(current)
            current = known[current].parent
    return out


def _people(items: list[Node], p: Problems, units: Mapping[str, UnitEntry]) -> list[PersonEntry]:
    out: list[PersonEntry] = []
    seen: dict[str, int] = {}
    for item in items:
        body = p.mapping(item, "a person")
        if body is None:
            continue
        p.keys(body, "a person", ["login", "name", "roles", "email", "unit", "gender",
                                  "ethnicity", "direct_worker"], required=["login", "name"])
        login = p.string(body.get("login"), "login", pattern=LOGIN_RE, max_length=ID_LENGTH,
                         hint="lowercase letters, digits, '.', '_' and '-'")
        if login in RESERVED_LOGINS:
            p.add(body.get("login") or body, f"login {login!r} is reserved for the engine's "
                  f"own records ({', '.join(sorted(RESERVED_LOGINS))}); choose another")
            login = None
        name = p.string(body.get("name"), "name", max_length=NAME_LENGTH)
        email = p.string(body.get("email"), "email", max_length=254)
        works_at = p.string(body.get("unit"), "unit", max_length=ID_LENGTH)
        gender = p.choice(body.get("gender"), "gender", GENDERS)
        ethnicity = p.string(body.get("ethnicity"), "ethnicity", max_length=ETHNICITY_LENGTH)
        ethnicity = unicodedata.normalize("NFC", ethnicity.strip()) if ethnicity else None
        direct = p.boolean(body.get("direct_worker"), "direct_worker")
        if works_at is not None and works_at not in units:
            p.add(body.get("unit") or body, f"unit {echo(works_at)} is not a known unit")
            works_at = None
        roles: list[tuple[str, str]] = []
        for role_node in p.sequence(body.get("roles"), "roles", single_ok=True):
            text = p.string(role_node, "role", hint="write ROLE@UNIT_ID, e.g. officer@BN-SGD")
            if text is None:
                continue
            match = GRANT_RE.fullmatch(text)
            if not match or not NAME_RE.fullmatch(match.group(1)):
                p.add(role_node, f"role {echo(text)} is not ROLE@UNIT_ID (e.g. officer@BN-SGD)")
                continue
            role, unit = match.groups()
            if unit not in units:
                p.add(role_node, f"role {echo(text)}: unit {echo(unit)} is not a known unit")
                continue
            roles.append((role, unit))
        if login is None or name is None:
            continue
        if login in seen:
            p.add(item, f"person {echo(login)} is listed twice (first at line {seen[login]})")
            continue
        seen[login] = item.line
        out.append(PersonEntry(login, name, tuple(dict.fromkeys(roles)), email, works_at,
                               gender, ethnicity, direct))
    return out
