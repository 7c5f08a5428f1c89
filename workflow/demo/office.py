"""The demo's province: units, councils, people and their award histories, generated from a seed.

Written as a directory YAML file and loaded through ``award directory load`` like any real
directory, so the demo exercises the same path an administrator uses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PAST_CAMPAIGN", "Office", "build_office", "paper_registrations"]

PAST_CAMPAIGN = "bac-ninh-2025"  # last year's campaign: its registrations were made on paper

#: communes and schools of the uplands (vùng sâu, vùng xa): remote units in the directory
REMOTE_UNITS = ("BN-X05", "BN-X06", "BN-T04")
MINORITIES = ["Tày", "Nùng", "Sán Dìu", "Dao", "Hoa", "Sán Chay"]
FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu")
MALE_MIDDLE = ("Văn", "Hữu", "Quốc", "Đức")
#: the share of a unit's staff who work directly (teachers, farmers, workers), by level
DIRECT_SHARE = {"commune": 0.55, "school": 0.65, "department": 0.2}

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Đức", "Thu", "Hải"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hạnh", "Hòa", "Hùng", "Khánh", "Lan",
         "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Phong", "Phương", "Quang", "Sơn", "Tâm",
         "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Vân", "Yến", "Hương"]

DEPARTMENTS = [("BN-SGD", "Sở Giáo dục và Đào tạo"), ("BN-SYT", "Sở Y tế"),
               ("BN-SCT", "Sở Công Thương"), ("BN-SNNMT", "Sở Nông nghiệp và Môi trường")]
COMMUNES = ["Tam Sơn", "Phù Chẩn", "Đại Đồng", "Hoàn Sơn", "Lim", "Phật Tích"]
SCHOOLS = ["THPT Lý Thái Tổ", "THPT Hàn Thuyên", "THCS Trần Phú", "Tiểu học Kim Chân"]
ENTERPRISES = ["Công ty CP Viglacera Tiên Sơn", "Công ty TNHH Điện tử Kinh Bắc",
               "Hợp tác xã Gốm Phù Lãng", "Công ty CP Dược phẩm Bắc Ninh"]
AGENCIES = [("thue", "Cục Thuế tỉnh", "tax_officer"), ("bhxh", "BHXH tỉnh", "insurance_officer"),
            ("moitruong", "Sở NN&MT", "env_officer"), ("pccc", "Công an tỉnh — PCCC",
                                                      "fire_officer"),
            ("thanhtra", "Thanh tra tỉnh", "inspector")]


@dataclass
class Unit:
    id: str
    name: str
    level: str
    parent: str | None
    officer: str = ""
    secretariat: str = ""
    head: str = ""
    council: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)  # nominees who work here


@dataclass
class Office:
    """Who is who: enough for the demo's actors to find the right person for each step."""

    units: dict[str, Unit]
    names: dict[str, str]  # login -> name
    history: dict[str, list[tuple[str, int]]]  # login -> prior awards
    enterprises: list[str]
    province: str = "BN"
    central: str = "VN"

    def unit(self, unit_id: str) -> Unit:
        return self.units[unit_id]

    def grassroots(self) -> list[str]:
        return [u.id for u in self.units.values()
                if u.level in ("department", "commune", "school")]


def _people_names(rng: random.Random, n: int) -> list[str]:
    """``n`` names, all different while the combinations last (a scaled-up province repeats
    names, as real ones do)."""
    seen: set[str] = set()
    out: list[str] = []
    combinations = len(SURNAMES) * len(MIDDLE) * len(GIVEN)
    while len(out) < n:
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        if len(seen) >= combinations * 3 // 4:
            seen.clear()  # the rest may repeat names already given
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def build_office(rng: random.Random, staff_per_unit: int = 25, scale: int = 1) -> Office:
    """The province; ``scale`` multiplies its staff (and so the nominations its lists carry)."""
    staff_per_unit *= scale
    units: dict[str, Unit] = {
        "VN": Unit("VN", "Trung ương", "central", None),
        "BN": Unit("BN", "Tỉnh Bắc Ninh", "province", "VN"),
    }
    for uid, name in DEPARTMENTS:
        units[uid] = Unit(uid, name, "department", "BN")
    for i, name in enumerate(COMMUNES, start=1):
        units[f"BN-X{i:02d}"] = Unit(f"BN-X{i:02d}", f"Xã {name}", "commune", "BN")
    for i, name in enumerate(SCHOOLS, start=1):
        units[f"BN-T{i:02d}"] = Unit(f"BN-T{i:02d}", f"Trường {name}", "school", "BN-SGD")
    enterprises = []
    for i, name in enumerate(ENTERPRISES, start=1):
        uid = f"BN-DN{i:02d}"
        units[uid] = Unit(uid, name, "enterprise", "BN")
        enterprises.append(uid)
    names: dict[str, str] = {}
    pool = iter(_people_names(rng, 2000 * scale))
    counter = [0]

    def person(prefix: str) -> str:
        counter[0] += 1
        login = f"{prefix}{counter[0]:04d}"
        names[login] = next(pool)
        return login

    for unit in units.values():
        if unit.level == "central":
            unit.secretariat = person("tw")
            unit.council = [unit.secretariat] + [person("tw") for _ in range(8)]
            unit.head = unit.council[1]
            continue
        unit.officer = person("cb")
        unit.secretariat = person("tk")
        size = 9 if unit.level == "province" else rng.choice([5, 7, 9])
        unit.council = [unit.secretariat] + [person("hd") for _ in range(size - 1)]
        unit.head = unit.council[1]
        if unit.level in ("department", "commune", "school"):
            unit.staff = [person("nv") for _ in range(staff_per_unit)]
    history: dict[str, list[tuple[str, int]]] = {}
    for unit in units.values():
        for login in unit.staff:
            awards: list[tuple[str, int]] = []
            for year in range(2019, 2026):
                if rng.random() < 0.8:
                    awards.append(("LDTT", year))
                    if rng.random() < 0.5:
                        awards.append(("CSTDCS", year))
            if rng.random() < 0.15:
                awards.append(("BKTINH", 2019))
                if rng.random() < 0.7:
                    awards.append(("BKTTG", 2020))
            history[login] = awards
    return Office(units, names, history, enterprises)


def paper_registrations(office: Office) -> list[str]:
    """Directory lines: everyone on the staff of a grassroots unit registered for LĐTT and
    CSTĐCS in 2025, and every enterprise for the flag (on paper, before the engine)."""
    lines = ["registrations:"]
    for unit in office.units.values():
        for login in unit.staff:
            for award in ("LDTT", "CSTDCS"):
                lines.append(f"  - {{campaign: {PAST_CAMPAIGN}, unit: {unit.id}, "
                             f"person: {login}, award: {award}}}")
    for unit_id in office.enterprises:
        lines.append(f"  - {{campaign: {PAST_CAMPAIGN}, unit: {unit_id}, award: CTDTINH}}")
    return lines


#: people per directory file: a scaled-up province is loaded as a first file and add-on files,
#: each well under the 1 MiB a definition file may have
PEOPLE_PER_FILE = 1500


def write_directory(office: Office, path: Path) -> list[Path]:
    """The directory as YAML: ``path``, and add-on files next to it when there are more than
    :data:`PEOPLE_PER_FILE` people (each adds people, and their awards, to those loaded)."""
    lines = ["# Generated by award demo (seeded): a province, its councils and its people.",
             "units:"]
    for u in office.units.values():
        parent = f", parent: {u.parent}" if u.parent else ""
        remote = ", remote: true" if u.id in REMOTE_UNITS else ""
        lines.append(f'  - {{id: {u.id}, name: "{u.name}", level: {u.level}{parent}{remote}}}')
    roles: dict[str, list[str]] = {}

    def grant(login: str, role: str) -> None:
        roles.setdefault(login, []).append(role)

    for u in office.units.values():
        if u.officer:
            grant(u.officer, f"officer@{u.id}")
        grant(u.secretariat, f"secretariat@{u.id}")
        for member in u.council:
            grant(member, f"council_member@{u.id}")
        grant(u.head, f"council_chair@{u.id}")
        if u.level == "central":
            grant(u.head, "prime_minister@VN")
        elif u.level == "province":
            grant(u.head, "chairman@BN")
        else:
            grant(u.head, f"unit_head@{u.id}")
        for login in u.staff:
            roles.setdefault(login, [])
    for login, name, role in AGENCIES:
        office.names[login] = name
        grant(login, f"{role}@BN")
    office.names["chutichnuoc"] = "Chủ tịch nước"
    grant("chutichnuoc", "president@VN")
    # an inspector at the top of the tree: reads every item's timeline, exports the chain
    office.names["kiemtoan"] = "Đỗ Thị Kiểm"
    grant("kiemtoan", "auditor@VN")
    works_at = {login: u.id for u in office.units.values() for login in u.staff}
    logins = list(roles)
    paths: list[Path] = []
    for start in range(0, len(logins), PEOPLE_PER_FILE):
        part = logins[start:start + PEOPLE_PER_FILE]
        if start:
            lines = ["# Generated by award demo: more people of the province (an add-on file)."]
        lines.append("people:")
        for login in part:
            granted = roles[login]
            where = f", unit: {works_at[login]}" if login in works_at else ""
            unit = office.units.get(works_at.get(login, ""))
            groups = _groups(login, office.names[login], unit)
            lines.append(f'  - {{login: {login}, name: "{office.names[login]}"{where}, '
                         f"roles: [{', '.join(granted)}]{groups}}}")
        lines.append("awards:")
        for login in part:
            for award, year in office.history.get(login, ()):
                lines.append(f"  - {{person: {login}, award: {award}, year: {year}}}")
        if start + PEOPLE_PER_FILE >= len(logins):  # the last file: everyone is known by then
            lines.extend(paper_registrations(office))
        target = path if not start else path.with_name(
            f"{path.stem}-{start // PEOPLE_PER_FILE + 1}{path.suffix}")
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(target)
    return paths


def _groups(login: str, name: str, unit: Unit | None) -> str:
    """The priority-group attributes of a person, as directory keys: gender from the middle
    name where it tells (else about even), an ethnic minority mostly in the uplands, direct
    workers among the staff of communes and schools. Drawn from the login alone, so the
    rest of the demo's draws stay as they were."""
    if login in {"chutichnuoc"} or login in {a[0] for a in AGENCIES}:
        return ""
    rng = random.Random(f"groups:{login}")
    middle = name.split()[1] if len(name.split()) > 2 else ""
    female = (middle in FEMALE_MIDDLE or (middle not in MALE_MIDDLE and rng.random() < 0.5))
    out = f", gender: {'F' if female else 'M'}"
    if unit is None:
        return out + ", ethnicity: Kinh"
    remote = unit.id in REMOTE_UNITS
    minority = rng.random() < (0.6 if remote else 0.04)
    out += f", ethnicity: {rng.choice(MINORITIES) if minority else 'Kinh'}"
    if rng.random() < DIRECT_SHARE.get(unit.level, 0.0):
        out += ", direct_worker: true"
    return out
