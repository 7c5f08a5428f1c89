"""What the demo leaves for a visitor of its web interface: a few items still open on its last
day (a public notice taking objections, a council ballot half cast) and known passwords for
a handful of named people, one for each kind of user, so ``award serve`` on the demo's
database has something to click for everyone.

Everything is done through the service, as the people would (no row is written directly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from workflow.demo.office import Office
from workflow.service import Actor, Service

__all__ = ["AUDITOR", "PASSWORD", "SignIn", "leave_live", "sign_ins"]

PASSWORD = "thidua-2025"  # the demo's one password; a real office sets its own per person
AUDITOR = ("kiemtoan", "Đỗ Thị Kiểm", "auditor@VN")
HOME = "BN-SGD"  # the department whose people a visitor signs in as


@dataclass(frozen=True)
class SignIn:
    role: str  # what the person does, in words
    login: str
    name: str
    password: str


def sign_ins(service: Service, office: Office) -> list[SignIn]:
    """Set the demo password for one person of each kind and say who they are."""
    home, province = office.units[HOME], office.units[office.province]
    people = [
        ("Cán bộ thi đua – khen thưởng (officer) — " + home.name, home.officer),
        ("Cơ quan thường trực Hội đồng (secretariat) — " + home.name, home.secretariat),
        ("Thành viên Hội đồng (council member) — " + home.name, home.council[2]),
        ("Thủ trưởng đơn vị (decider) — " + home.name, home.head),
        ("Cơ quan thường trực Hội đồng tỉnh (provincial secretariat)", province.secretariat),
        ("Chủ tịch UBND tỉnh (decider) — " + province.name, province.head),
        ("Cục Thuế tỉnh (agency confirming)", "thue"),
        ("Kiểm toán viên, thanh tra (auditor)", AUDITOR[0]),
    ]
    service.accounts.set_passwords([(login, PASSWORD) for _, login in people])
    return [SignIn(role, login, office.names.get(login, AUDITOR[1]), PASSWORD)
            for role, login in people]


def leave_live(service: Service, office: Office, folder: Path, taken: set[str],
               day: date) -> dict[str, Any]:
    """On the demo's last day: a Labour Order nominee on the province's public notice (open
    for objections) and a grassroots title in the department council's ballot with two of
    its members voted. ``taken`` are people already nominated (the live items name others
    when anyone else qualifies)."""
    dossier = folder / "dossiers" / "live"
    dossier.mkdir(parents=True, exist_ok=True)
    home = office.units[HOME]
    officer = Actor(home.officer)
    ids: dict[str, Any] = {}

    def attach(item: str, *types: str) -> None:
        for doctype in types:
            path = dossier / f"{doctype}-{item}.txt"
            path.write_text(f"{doctype} — hồ sơ số {item}, {day.isoformat()}\n",
                            encoding="utf-8")
            service.items.attach(officer, item, doctype, path)

    # the province's public notice: a staff member who meets the Labour Order's rule
    hero = _pick(office, taken, lambda awards: ("BKTTG", 2020) in awards and len(
        {y for a, y in awards if a == "CSTDCS" and y > 2020}) >= 3)
    if hero is not None:
        item = service.items.nominate(officer, "huan-chuong-lao-dong-hang-ba", HOME,
                                      office.names[hero], hero,
                                      {"year": day.year, "years_good": 6, "years_excellent": 2})
        attach(item["id"], "to_trinh", "bao_cao", "bien_ban")
        service.items.fire(officer, item["id"], "submit")
        service.items.fire(Actor(office.units[office.province].secretariat), item["id"],
                           "accept")
        for login, key in (("thue", "tax"), ("bhxh", "social_insurance"),
                           ("thanhtra", "inspectorate")):
            service.items.confirm(Actor(login), item["id"], key, "yes")
        ids["notice"] = item["id"]
    # the department council's secret ballot, two members voted
    # (one achievement, one award: nobody who holds the title for that year already, nor
    # anyone the cycle nominated, whose item may have been granted it)
    fighter = _pick(office, taken | {hero or ""},
                    lambda awards: ("LDTT", day.year - 1) in awards
                    and ("CSTDCS", day.year - 1) not in awards, unit=HOME, fresh_only=True)
    if fighter is not None:
        item = service.items.nominate(officer, "chien-si-thi-dua-co-so", HOME,
                                      office.names[fighter], fighter,
                                      {"year": day.year - 1, "rating": "HTXS"})
        attach(item["id"], "to_trinh", "bao_cao")
        service.items.fire(officer, item["id"], "submit")
        service.items.fire(Actor(home.secretariat), item["id"], "accept")
        for member in home.council[3:5]:
            service.items.vote(Actor(member), item["id"], "yes")
        ids["ballot"] = item["id"]
    return ids


def _pick(office: Office, taken: set[str], fits: Any, unit: str | None = None,
          fresh_only: bool = False) -> str | None:
    """The first staff member (of ``unit``, else of the home department or a unit below it:
    a unit proposes its own people) whose prior awards ``fits``, preferring one not yet
    nominated (``fresh_only``: only one not yet nominated)."""
    units = [office.units[unit]] if unit else [u for u in office.units.values()
                                               if _under(office, u.id, HOME)]
    found = [login for u in units for login in u.staff if fits(office.history[login])]
    fresh = [login for login in found if login not in taken]
    chosen = fresh if fresh_only else fresh or found
    return chosen[0] if chosen else None


def _under(office: Office, unit_id: str, top: str) -> bool:
    current: str | None = unit_id
    while current is not None:
        if current == top:
            return True
        current = office.units[current].parent
    return False
