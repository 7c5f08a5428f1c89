"""The shipped catalogue's rules against the law's alternatives, on concrete histories:
Bằng khen of the provincial chairman (BN-86/2025 Art 3(3)), the provincial emulation flag
(cluster leaders, Law Art 27), the Labour Order third class (Law Art 44(1)(a)–(e)), LĐTT
(Law Art 24) and CSTĐCS's need of it (Art 23), Tập thể lao động xuất sắc (BN-86 Art 3(2)),
and thematic awards left out of merit rules like ad-hoc ones (Decree 152 Art 4(3)). The
collective's history read from the register by its unit runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workflow.catalogue import Catalogue, Facts, HistoryEntry, load_catalogue, parse_catalogue
from workflow.errors import DefinitionError

CATALOGUE = load_catalogue(Path(__file__).parents[1] / "definitions" / "catalogue.yaml")


def h(*entries: tuple[str, int]) -> tuple[HistoryEntry, ...]:
    return tuple(HistoryEntry(code, year) for code, year in entries)


def check(code: str, history: tuple[HistoryEntry, ...] = (), year: int = 2026,
          kind: str = "individual", leads: bool = False, catalogue: Catalogue = CATALOGUE,
          **fields: Any) -> str | None:
    award = catalogue.get(code)
    assert award is not None
    reason = award.check(Facts(catalogue.counted(history), fields, year, kind=kind,
                               leads_cluster=lambda: leads))
    return None if reason is None else reason.text


# ---- Bằng khen của Chủ tịch UBND tỉnh -------------------------------------------------------


def test_bktinh_two_consecutive_cstdcs() -> None:
    assert check("BKTINH", h(("CSTDCS", 2025), ("CSTDCS", 2026)), rating="HTT") is None
    assert check("BKTINH", h(("CSTDCS", 2024), ("CSTDCS", 2026))) is not None  # a gap


def test_bktinh_two_excellent_years_with_two_initiatives() -> None:
    assert check("BKTINH", htxs_years=2, initiatives=2) is None
    assert check("BKTINH", htxs_years=2, initiatives=1) is not None


def test_bktinh_a_campaign_achievement_or_an_exceptional_deed() -> None:
    assert check("BKTINH", campaign_achievement="Tổng kết phong trào CĐS 2026, số 12") is None
    assert check("BKTINH", exceptional_deed="Cứu người trong lũ") is None
    refused = check("BKTINH", rating="HTXS")
    assert refused is not None and refused.startswith("none of:")


def test_bktinh_a_collective_leading_its_cluster_or_two_years_excellent() -> None:
    assert check("BKTINH", kind="collective", leads=True) is None
    assert check("BKTINH", kind="individual", leads=True) is not None  # a person ranks nothing
    assert check("BKTINH", h(("TTLDXS", 2025), ("TTLDXS", 2026)), kind="collective") is None
    assert check("BKTINH", h(("TTLDXS", 2025), ("TTLDXS", 2026))) is not None


# ---- Cờ thi đua của UBND tỉnh ---------------------------------------------------------------


def test_flag_goes_to_the_cluster_leader_not_to_any_excellent_collective() -> None:
    assert check("CTDTINH", kind="collective", leads=True, rating="HTXS") is None
    not_leading = check("CTDTINH", kind="collective", leads=False, rating="HTXS")
    assert not_leading is not None and "leads its emulation cluster" in not_leading
    assert check("CTDTINH", kind="collective", leads=True, rating="HTT") is not None
    # enterprises: no enterprise bloc in the campaigns yet [A], rating and confirmations
    assert check("CTDTINH", kind="enterprise", rating="HTXS") is None


# ---- Huân chương Lao động hạng Ba -----------------------------------------------------------

PM_PATH = h(("BKTTG", 2020), ("CSTDCS", 2021), ("CSTDCS", 2023), ("CSTDCS", 2025))


@pytest.mark.parametrize("fields", [
    {"exceptional_deed": "Thành tích đột xuất"},                     # (a)
    {"state_level_work": "Bằng độc quyền sáng chế số 123"},          # (b)
    {"national_fighter": "QĐ 45/QĐ-TTg"},                            # (c)
    {"long_service": "Giám đốc sở, 10 năm (Phụ lục I)"},             # (d)
])
def test_hcld3_points_a_to_d_each_suffice(fields: dict[str, str]) -> None:
    assert check("HCLD3", **fields) is None


def test_hcld3_point_c_two_provincial_fighters_since_the_pm_certificate() -> None:
    assert check("HCLD3", h(("BKTTG", 2020), ("CSTDT", 2022), ("CSTDT", 2025))) is None
    assert check("HCLD3", h(("CSTDT", 2019), ("BKTTG", 2020), ("CSTDT", 2025))) is not None


def test_hcld3_point_e_the_pm_certificate_path() -> None:
    assert check("HCLD3", PM_PATH, years_good=6, years_excellent=1) is None
    assert check("HCLD3", PM_PATH, years_good=4, years_excellent=1) is not None
    two = h(("BKTTG", 2020), ("CSTDCS", 2021), ("CSTDCS", 2023))
    assert check("HCLD3", two, years_good=6, years_excellent=1) is not None
    assert check("HCLD3") is not None  # nothing at all


# ---- LĐTT, CSTĐCS and the excellent collective ----------------------------------------------


def test_ldtt_needs_duties_completed_well_or_better() -> None:
    assert check("LDTT", rating="HTT") is None and check("LDTT", rating="HTXS") is None
    assert check("LDTT", rating="HT") is not None


def test_cstdcs_requires_ldtt_in_the_same_year() -> None:
    assert check("CSTDCS", h(("LDTT", 2026)), rating="HTXS") is None
    assert "LDTT held in the nomination's year" in (check("CSTDCS", h(("LDTT", 2025)),
                                                          rating="HTXS") or "")


@pytest.mark.parametrize(("changed", "ok"), [
    ({}, True), ({"rating": "HTT"}, False), ({"members_completing_pct": 99}, False),
    ({"ldtt_pct": 69}, False), ({"ldtt_pct": 70}, True), ({"cstdcs_members": 0}, False)])
def test_ttldxs_ratios(changed: dict[str, Any], ok: bool) -> None:
    fields = {"rating": "HTXS", "members_completing_pct": 100, "ldtt_pct": 75,
              "cstdcs_members": 1, **changed}
    assert (check("TTLDXS", kind="collective", **fields) is None) is ok


# ---- thematic awards do not count, like ad-hoc ones -----------------------------------------


def test_thematic_awards_are_no_basis_for_merit_rules() -> None:
    text = """
awards:
  TH: {title: T, form: commendation, level: province, nominees: [individual], thematic: true}
  MERIT:
    title: M
    form: commendation
    level: province
    nominees: [individual]
    rule: {streak: {award: TH, years: 2, ending: same}}
  ANY:
    title: A
    form: commendation
    level: province
    nominees: [individual]
    rule: {streak: {award: TH, years: 2, ending: same}, include_ad_hoc: true}
"""
    catalogue = parse_catalogue(text, "t.yaml")
    two = h(("TH", 2025), ("TH", 2026))
    assert "has 0" in (check("MERIT", two, catalogue=catalogue) or "")
    assert check("ANY", two, catalogue=catalogue) is None
    assert catalogue.not_counting("TH", False) and not catalogue.not_counting("MERIT", False)
    assert catalogue.not_counting("MERIT", True)  # an ad-hoc flow's grant


def test_the_shipped_thematic_award_is_marked() -> None:
    award = CATALOGUE.get("BKCDS")
    assert award is not None and award.thematic
    counted = CATALOGUE.counted(h(("BKCDS", 2026), ("CSTDCS", 2026)))
    assert [x.ad_hoc for x in counted] == [True, False]


def test_rule_language_refuses_bad_new_kinds() -> None:
    bad = """
awards:
  X:
    title: X
    form: title
    level: unit
    nominees: [collective]
    rule: {all: [{cluster_leader: false}, {nominee: household2}]}
"""
    with pytest.raises(DefinitionError) as caught:
        parse_catalogue(bad, "bad.yaml")
    text = " ".join(str(p) for p in caught.value.problems)
    assert "'cluster_leader' takes 'true'" in text and "household2" in text


# ---- a collective's history is its unit's grants (store) ------------------------------------


def test_a_collective_history_is_read_by_its_unit(service: Any) -> None:
    deps = service.deps

    def work(tx: Any) -> list[HistoryEntry]:
        for year in (2025, 2026):
            tx.grants.add(kind="collective", person_login=None, nominee="Trường THPT Lý Thái Tổ",
                          unit_id="BN-SGD", award="TTLDXS", year=year, ad_hoc=False,
                          decision_id=None, nomination_id=None, source="decision",
                          confidential=False, granted_at=None, name_fold="truong",
                          nominee_unit="BN-THPT-LTT")
        return tx.grants.unit_history("BN-THPT-LTT") + tx.grants.unit_history("BN-SGD")

    history = deps.run(work)
    assert [(x.award, x.year) for x in history] == [("TTLDXS", 2025), ("TTLDXS", 2026)]
    assert check("BKTINH", tuple(history), kind="collective") is None
