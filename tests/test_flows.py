"""Every shipped flow end to end through the CLI, on SQLite and PostgreSQL: a happy path and
unhappy ones (return, failed vote, upheld objection, negative confirmation, expiry), with the
clock fixed per step. People and units are those of definitions/directory.sample.yaml."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import Cli

DAY1 = "2026-03-02T09:00:00+07:00"  # a Monday after Tết


def at(day: int, hour: int = 9) -> str:
    """``day`` calendar days after DAY1, as an AWARD_NOW value."""
    start = datetime.fromisoformat(DAY1).replace(hour=hour)
    return (start + timedelta(days=day)).isoformat()


def attach_all(cli: Cli, item: str, user: str, dossier: Path, *doctypes: str) -> None:
    for doctype in doctypes:
        cli.ok("attach", item, doctype, str(dossier), user=user)


def fire(cli: Cli, item: str, trigger: str, user: str, **kwargs: Any) -> dict[str, Any]:
    args = ["fire", item, trigger]
    if "comment" in kwargs:
        args += ["--comment", kwargs.pop("comment")]
    result: dict[str, Any] = cli.ok(*args, user=user, **kwargs)
    return result


def state(cli: Cli, item: str) -> str:
    return str(cli.ok("show", item)["state"])


def votes(cli: Cli, item: str, ballots: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    last: dict[str, Any] = {}
    for member, choice in ballots.items():
        last = cli.ok("vote", item, choice, user=member, **kwargs)
    return last


def actions(cli: Cli, item: str) -> list[str]:
    return [h["action"] for h in cli.ok("show", item)["history"]]


# ---- chiến sĩ thi đua cơ sở -------------------------------------------------------------------

CSTDCS = "chien-si-thi-dua-co-so"
SGD_COUNCIL = ("thu", "minh", "hoa", "nam", "binh")


def cstdcs(cli: Cli, dossier: Path, person: str = "an", rating: str = "HTXS") -> str:
    item = str(cli.ok("nominate", CSTDCS, "--unit", "BN-SGD", "--nominee", "Nguyễn Văn An",
                      "--person", person, "--set", "year=2026", "--set", f"rating={rating}",
                      user="lan")["id"])
    attach_all(cli, item, "lan", dossier, "to_trinh", "bao_cao")
    return item


def test_cstdcs_happy_path_awards_and_records_history(cli: Cli, dossier: Path) -> None:
    item = cstdcs(cli, dossier)
    assert fire(cli, item, "submit", "lan")["due_at"] == "2026-02-26T23:59:59+07:00"
    fire(cli, item, "accept", "thu", now="2026-02-24T09:00:00+07:00")
    closed = votes(cli, item, dict.fromkeys(SGD_COUNCIL, "yes"),
                   now="2026-02-25T09:00:00+07:00")
    assert closed["closed"] is True and closed["state"] == "pending_decision"
    fire(cli, item, "award", "minh", now="2026-02-26T09:00:00+07:00")
    shown = cli.ok("show", item)
    assert (shown["state"], shown["outcome"]) == ("awarded", "awarded")
    assert shown["ballot"]["passed"] is True and shown["ballot"]["yes"] == 5
    assert [d["template"] for d in shown["rendered"]] == ["minutes.html.j2", "decision.html.j2"]
    assert "granted" in actions(cli, item)
    # the award now counts in the nominee's history: a provincial certificate becomes possible
    bk = cli.ok("nominate", "bang-khen-tinh", "--unit", "BN-SGD", "--nominee", "Nguyễn Văn An",
                "--person", "an", "--set", "year=2026", "--set", "rating=HTXS", user="lan")
    assert bk["state"] == "draft"


def test_cstdcs_return_resubmit_and_a_failed_vote(cli: Cli, dossier: Path) -> None:
    item = cstdcs(cli, dossier)
    fire(cli, item, "submit", "lan")
    fire(cli, item, "return", "thu", comment="Bổ sung báo cáo")
    fire(cli, item, "resubmit", "lan", now=at(1))
    fire(cli, item, "accept", "thu", now=at(2))
    # 80% of 5 members needs 4 yes: 3 yes fail
    result = votes(cli, item, {"thu": "yes", "minh": "yes", "hoa": "yes", "nam": "no",
                               "binh": "abstain"}, now=at(3))
    assert result["state"] == "not_passed"
    assert result["reason"] == "failed: 3 yes of 5 members, 80% needs 4"
    assert cli.ok("show", item)["outcome"] == "rejected"


def test_cstdcs_return_unanswered_expires(cli: Cli, dossier: Path) -> None:
    item = cstdcs(cli, dossier)
    fire(cli, item, "submit", "lan", now=DAY1)
    fire(cli, item, "return", "thu", comment="Thiếu sáng kiến", now=DAY1)
    # 10 working days from Mon 2 March: due end of Mon 16 March; a reminder at 50% (Mon 9),
    # an escalation at 100%, and 'expire' only at 150% (end of Mon 23 March); each step is
    # taken by the first sweep after its day ends
    early = cli.ok("escalate", now="2026-03-10T08:00:00+07:00")
    assert (early["reminded"], early["escalated"], early["fired"]) == (1, 0, 0)
    due = cli.ok("escalate", now="2026-03-17T08:00:00+07:00")
    assert (due["reminded"], due["escalated"], due["fired"]) == (0, 1, 0)
    assert cli.ok("escalate", now="2026-03-23T20:00:00+07:00")["fired"] == 0
    assert state(cli, item) == "returned"
    late = cli.ok("escalate", now="2026-03-24T08:00:00+07:00")
    assert late["fired"] == 1
    shown = cli.ok("show", item)
    assert (shown["state"], shown["outcome"]) == ("expired", "withdrawn")
    assert shown["history"][-1]["actor"] == "system"


# ---- bằng khen tỉnh ---------------------------------------------------------------------------

def test_bang_khen_tinh_happy_path(cli: Cli, dossier: Path) -> None:
    item = str(cli.ok("nominate", "bang-khen-tinh", "--unit", "BN-SGD",
                      "--nominee", "Nguyễn Văn An", "--person", "an", "--set", "year=2025",
                      "--set", "rating=HTXS",
                      user="lan", now=DAY1)["id"])
    attach_all(cli, item, "lan", dossier, "to_trinh", "bao_cao")
    fire(cli, item, "propose", "lan", now=DAY1)
    # the unit council: a simple majority of its five members, with a 2/3 quorum
    assert votes(cli, item, {"thu": "yes", "minh": "yes", "hoa": "yes", "nam": "no"},
                 now=at(1))["remaining"] == 1
    fire(cli, item, "close_vote", "thu", now=at(1))
    assert state(cli, item) == "unit_endorsed"
    cli.fails(4, "fire", item, "send", user="lan", now=at(2))  # the minutes are missing
    attach_all(cli, item, "lan", dossier, "bien_ban")
    fire(cli, item, "send", "lan", now=at(2))
    fire(cli, item, "accept", "hung", now=at(3))
    fire(cli, item, "propose_award", "hung", now=at(7))
    fire(cli, item, "award", "tuan", now=at(8))
    shown = cli.ok("show", item)
    assert shown["state"] == "awarded"
    assert shown["ballot"]["threshold"] == "majority"


def test_bang_khen_tinh_not_eligible_is_refused_then_expires(cli: Cli, dossier: Path) -> None:
    # bich has no CSTĐCS streak and declares no initiatives: the province's check refuses
    item = str(cli.ok("nominate", "bang-khen-tinh", "--unit", "BN-SGD", "--nominee", "Lý Thị Bích",
                      "--person", "bich", "--set", "year=2025", "--set", "rating=HTT",
                      user="lan", now=DAY1)["id"])
    attach_all(cli, item, "lan", dossier, "to_trinh", "bao_cao", "bien_ban")
    fire(cli, item, "propose", "lan", now=DAY1)
    votes(cli, item, dict.fromkeys(SGD_COUNCIL, "yes"), now=DAY1)
    fire(cli, item, "send", "lan", now=DAY1)
    error = cli.fails(4, "fire", item, "accept", user="hung", now=at(1))
    assert error["guard"] == "eligible" and "BKTINH" in error["message"]
    fire(cli, item, "return", "hung", comment="Không đủ điều kiện", now=at(1))
    # returned Tue 3 March: due Tue 17 March (10 WD), expires after Tue 24 March (15 WD)
    assert cli.ok("escalate", now=at(22))["fired"] == 0
    assert cli.ok("escalate", now=at(23))["fired"] == 1
    assert state(cli, item) == "expired"


# ---- khen thưởng đột xuất ---------------------------------------------------------------------

def adhoc(cli: Cli, dossier: Path) -> str:
    item = str(cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-THPT-LTT", "--nominee",
                      "Đặng Thị Yến", "--person", "yen", "--set", "deed=Cứu người đuối nước",
                      "--set", "deed_date=2026-02-27", user="mai", now=DAY1)["id"])
    attach_all(cli, item, "mai", dossier, "to_trinh", "bao_cao", "xac_nhan")
    return item


def test_ad_hoc_award_is_fast_and_does_not_count_toward_streaks(cli: Cli, dossier: Path) -> None:
    item = adhoc(cli, dossier)
    assert fire(cli, item, "submit", "mai", now=DAY1)["due_at"] == "2026-03-04T23:59:59+07:00"
    for trigger in ("accept", "propose_award"):
        fire(cli, item, trigger, "son", now=at(1))
    fire(cli, item, "award", "son", now=at(1))
    granted = [h for h in cli.ok("audit", "log", item) if h["action"] == "granted"]
    payload = dict(granted[0]["payload"])
    assert payload.pop("grant").isdigit()
    assert payload.pop("decision") == "1/QĐ-BN-THPT-LTT"  # the school's first of the year
    assert payload == {"award": "GKDX", "person": "yen", "year": 2026, "ad_hoc": True}


def test_ad_hoc_overdue_check_is_escalated_to_the_unit_head(cli: Cli, dossier: Path) -> None:
    item = adhoc(cli, dossier)
    fire(cli, item, "submit", "mai", now=DAY1)
    # 2 WD: reminder at 50% (end of Tue), escalation at 100% (end of Wed)
    counts = cli.ok("escalate", now=at(3))
    assert (counts["reminded"], counts["escalated"]) == (1, 1)
    shown = cli.ok("show", item, now=at(3))
    assert shown["overdue"] is True
    assert [e["action"] for e in shown["escalations"]] == ["reminded", "escalated"]
    outbox = cli.ok("outbox", "--nomination", item)
    assert [(m["kind"], m["recipient"]) for m in outbox] == [("reminder", "son"),
                                                            ("escalation", "son")]
    fire(cli, item, "return", "son", comment="Thiếu xác nhận", now=at(3))
    fire(cli, item, "resubmit", "mai", now=at(4))
    fire(cli, item, "accept", "son", now=at(4))
    fire(cli, item, "decline", "son", comment="Chưa đủ căn cứ", now=at(5))
    assert cli.ok("show", item)["outcome"] == "rejected"


# ---- huân chương lao động hạng ba -------------------------------------------------------------

HCLD3 = "huan-chuong-lao-dong-hang-ba"
PROVINCE_COUNCIL = ("hung", "tuan", "quang", "ha", "long")


def hcld3_to_notice(cli: Cli, dossier: Path) -> str:
    item = str(cli.ok("nominate", HCLD3, "--unit", "BN-SGD", "--nominee", "Lê Văn Cường",
                      "--person", "cuong", "--set", "year=2026", "--set", "years_good=6",
                      "--set", "years_excellent=2", user="lan", now=DAY1)["id"])
    attach_all(cli, item, "lan", dossier, "to_trinh", "bao_cao", "bien_ban")
    fire(cli, item, "submit", "lan", now=DAY1)
    fire(cli, item, "accept", "hung", now=DAY1)
    for user, key in (("thue", "tax"), ("bhxh", "social_insurance"),
                      ("thanhtra", "inspectorate")):
        cli.ok("confirm", item, key, "yes", user=user, now=at(1))
    assert state(cli, item) == "public_notice"
    return item


def test_hcld3_happy_path_from_unit_to_president(cli: Cli, dossier: Path) -> None:
    item = hcld3_to_notice(cli, dossier)
    notices = cli.ok("notices")
    assert [n["nominees"][0]["id"] for n in notices] == [item]
    assert notices[0]["unit"] == "BN"  # published by the province
    # 10 working days from Tue 3 March: the window ends with Tue 17 March
    assert cli.ok("escalate", now="2026-03-17T20:00:00+07:00")["windows"] == 0
    assert cli.ok("escalate", now="2026-03-18T08:00:00+07:00")["windows"] == 1
    assert state(cli, item) == "provincial_council"
    votes(cli, item, dict.fromkeys(PROVINCE_COUNCIL, "yes"), now="2026-03-18T09:00:00+07:00")
    assert state(cli, item) == "to_moha"
    now = "2026-03-19T09:00:00+07:00"
    fire(cli, item, "send", "tuan", now=now)
    fire(cli, item, "accept_central", "vu", now=now)
    fire(cli, item, "propose", "vu", now=now)
    fire(cli, item, "recommend", "thutuong", now=now)
    fire(cli, item, "award", "chutichnuoc", now=now)
    fire(cli, item, "forward", "vu", now=now)
    fire(cli, item, "hand_over", "hung", now=now)
    shown = cli.ok("show", item)
    assert shown["state"] == "awarded"
    assert [d["template"] for d in shown["rendered"]] == ["minutes.html.j2", "decision.html.j2"]


def test_hcld3_upheld_objection_rejects_it(cli: Cli, dossier: Path) -> None:
    item = hcld3_to_notice(cli, dossier)
    filed = cli.ok("object", item, "--text", "Chưa hoàn thành nghĩa vụ thuế",
                   "--contact", "0912 345 678", now=at(3))
    assert state(cli, item) == "on_hold"
    cli.fails(3, "resolve", filed["id"], "upheld", "--comment", "x", user="lan", now=at(5))
    resolved = cli.ok("resolve", filed["id"], "upheld", "--comment", "Xác minh: đúng phản ánh",
                      user="hung", now=at(5))
    assert resolved["state"] == "rejected"
    assert "0912 345 678" not in str(cli.ok("audit", "log"))


def test_hcld3_negative_confirmation_ends_it(cli: Cli, dossier: Path) -> None:
    item = str(cli.ok("nominate", HCLD3, "--unit", "BN-SGD", "--nominee", "Lê Văn Cường",
                      "--person", "cuong", "--set", "year=2026", "--set", "years_good=6",
                      "--set", "years_excellent=2", user="lan", now=DAY1)["id"])
    attach_all(cli, item, "lan", dossier, "to_trinh", "bao_cao", "bien_ban")
    fire(cli, item, "submit", "lan", now=DAY1)
    fire(cli, item, "accept", "hung", now=DAY1)
    cli.ok("confirm", item, "tax", "yes", user="thue", now=at(1))
    result = cli.ok("confirm", item, "social_insurance", "no", "--comment", "Nợ BHXH",
                    user="bhxh", now=at(2))
    assert result["state"] == "not_eligible"


# ---- anh hùng lao động ------------------------------------------------------------------------

AHLD = "anh-hung-lao-dong"
CENTRAL_COUNCIL = ("vu", "thutuong", "tw1", "tw2", "tw3", "tw4")


def hero(cli: Cli, dossier: Path) -> str:
    item = str(cli.ok("nominate", AHLD, "--unit", "BN-SGD", "--nominee", "Nguyễn Văn An",
                      "--person", "an", "--set", "year=2026", "--set", "contribution_years=15",
                      "--set", "achievement=Sáng kiến cấp quốc gia", user="lan",
                      now=DAY1)["id"])
    attach_all(cli, item, "lan", dossier, "to_trinh", "bao_cao", "bien_ban")
    fire(cli, item, "submit", "lan", now=DAY1)
    fire(cli, item, "accept", "hung", now=DAY1)
    cli.ok("escalate", now="2026-03-17T08:00:00+07:00")  # the provincial window ends
    return item


def test_hero_of_labour_happy_path_needs_ninety_percent_twice(cli: Cli, dossier: Path) -> None:
    item = hero(cli, dossier)
    votes(cli, item, dict.fromkeys(PROVINCE_COUNCIL, "yes"), now="2026-03-17T09:00:00+07:00")
    fire(cli, item, "consult", "vu", now="2026-03-18T09:00:00+07:00")
    assert state(cli, item) == "national_consultation"
    cli.ok("escalate", now="2026-04-02T08:00:00+07:00")  # 10 WD national consultation
    assert state(cli, item) == "central_council"
    votes(cli, item, dict.fromkeys(CENTRAL_COUNCIL, "yes"), now="2026-04-02T09:00:00+07:00")
    now = "2026-04-03T09:00:00+07:00"
    fire(cli, item, "recommend", "thutuong", now=now)
    fire(cli, item, "award", "chutichnuoc", now=now)
    fire(cli, item, "hand_over", "hung", now=now)
    assert state(cli, item) == "awarded"


def test_hero_of_labour_fails_when_one_member_in_ten_says_no(cli: Cli, dossier: Path) -> None:
    item = hero(cli, dossier)
    # 90% of 5 members needs all 5: one 'no' fails the provincial vote
    result = votes(cli, item, {"hung": "yes", "tuan": "yes", "quang": "yes", "ha": "yes",
                               "long": "no"}, now="2026-03-17T09:00:00+07:00")
    assert (result["state"], result["reason"]) == (
        "not_passed", "failed: 4 yes of 5 members, 90% needs 5")


def test_hero_central_session_needs_ninety_percent_present(cli: Cli, dossier: Path) -> None:
    item = hero(cli, dossier)
    votes(cli, item, dict.fromkeys(PROVINCE_COUNCIL, "yes"), now="2026-03-17T09:00:00+07:00")
    fire(cli, item, "consult", "vu", now="2026-03-18T09:00:00+07:00")
    cli.ok("escalate", now="2026-04-02T08:00:00+07:00")
    # five in the room and one written opinion: 6/6 yes, but only 5 of 6 present (< 90%)
    votes(cli, item, dict.fromkeys(CENTRAL_COUNCIL[:5], "yes"), now="2026-04-02T09:00:00+07:00")
    result = cli.ok("vote", item, "yes", "--written", "--for", "tw4", user="vu",
                    now="2026-04-02T10:00:00+07:00")
    assert result["state"] == "not_passed"
    assert result["reason"] == "failed: presence not met: 5 of 6 present, 90% needs 6"


# ---- doanh nghiệp ------------------------------------------------------------------------------

ENTERPRISE_KEYS = (("thue", "tax"), ("bhxh", "social_insurance"), ("moitruong", "environment"),
                   ("pccc", "fire_safety"), ("thanhtra", "inspectorate"))


def enterprise(cli: Cli, dossier: Path) -> str:
    item = str(cli.ok("nominate", "doanh-nghiep", "--unit", "BN-DN-VIGLACERA", "--nominee",
                      "Công ty CP Viglacera Tiên Sơn", "--set", "year=2026", "--set",
                      "rating=HTXS", "--set", "tax_id=2300123456", user="dn", now=DAY1)["id"])
    attach_all(cli, item, "dn", dossier, "to_trinh", "bao_cao")
    fire(cli, item, "submit", "dn", now=DAY1)
    fire(cli, item, "accept", "hung", now=DAY1)
    return item


def test_enterprise_happy_path_with_five_confirmations(cli: Cli, dossier: Path) -> None:
    item = enterprise(cli, dossier)
    for user, key in ENTERPRISE_KEYS:
        result = cli.ok("confirm", item, key, "yes", user=user, now=at(2))
    assert result["state"] == "provincial_council"
    assert [c["decision"] for c in cli.ok("show", item)["confirmations"]] == ["yes"] * 5
    votes(cli, item, {"hung": "yes", "tuan": "yes", "quang": "yes", "ha": "yes", "long": "yes"},
          now=at(3))
    fire(cli, item, "award", "tuan", now=at(4))
    assert state(cli, item) == "awarded"


def test_enterprise_one_refusal_makes_it_not_eligible(cli: Cli, dossier: Path) -> None:
    item = enterprise(cli, dossier)
    cli.ok("confirm", item, "tax", "yes", user="thue", now=at(2))
    cli.fails(3, "confirm", item, "environment", "yes", user="thue", now=at(2))
    result = cli.ok("confirm", item, "environment", "no", "--comment",
                    "Vi phạm xả thải năm 2025", user="moitruong", now=at(3))
    assert result["state"] == "not_eligible"
    cli.fails(4, "confirm", item, "fire_safety", "yes", user="pccc", now=at(4))


# ---- cờ thi đua tỉnh for a cluster's leader ----------------------------------------------------

REVIEW = "2026-12-18T09:00:00+07:00"  # the final review of the province's 2026 campaign


def test_flag_for_the_cluster_leader_through_the_provincial_council(cli: Cli,
                                                                    dossier: Path) -> None:
    cli.ok("register", "bac-ninh-2026", "--unit", "BN-SYT", "--award", "CTDTINH",
           user="trang", now=DAY1)
    cli.ok("cluster", "open", "bac-ninh-2026", "khoi-so-nganh", user="hung", now=REVIEW)
    for head, paper in (("minh", ["BN-SYT", "BN-SCT"]), ("khoa", ["BN-SGD", "BN-SCT"]),
                        ("duc", ["BN-SYT", "BN-SGD"])):
        last = cli.ok("cluster", "vote", "bac-ninh-2026", "khoi-so-nganh", *paper,
                      user=head, now=REVIEW)
    assert last["closed"]["leader"] == "BN-SYT"
    item = str(cli.ok("nominate", "co-thi-dua-tinh", "--unit", "BN-SYT", "--nominee", "Sở Y tế",
                      "--set", "year=2026", "--set", "rating=HTXS", user="trang",
                      now=REVIEW)["id"])
    attach_all(cli, item, "trang", dossier, "to_trinh", "bao_cao", "bien_ban")
    fire(cli, item, "submit", "trang", now=REVIEW)
    assert fire(cli, item, "accept", "hung", now=REVIEW)["state"] == "provincial_council"
    # 80% of the 5 members of the provincial council needs 4 yes
    closed = votes(cli, item, {"hung": "yes", "tuan": "yes", "quang": "yes", "ha": "yes",
                               "long": "no"}, now="2026-12-21T09:00:00+07:00")
    assert closed["state"] == "pending_decision"
    fire(cli, item, "award", "tuan", now="2026-12-22T09:00:00+07:00")
    assert state(cli, item) == "awarded"


def test_flag_for_a_unit_that_does_not_lead_is_refused(cli: Cli, dossier: Path) -> None:
    item = str(cli.ok("nominate", "co-thi-dua-tinh", "--unit", "BN-SGD", "--nominee",
                      "Sở Giáo dục và Đào tạo", "--set", "year=2026", "--set", "rating=HTXS",
                      user="lan", now=REVIEW)["id"])
    attach_all(cli, item, "lan", dossier, "to_trinh", "bao_cao", "bien_ban")
    fire(cli, item, "submit", "lan", now=REVIEW)
    error = cli.fails(4, "fire", item, "accept", user="hung", now=REVIEW)
    assert "did not register for CTDTINH" in error["message"]  # nor ranked: first failure
    fire(cli, item, "decline", "hung", comment="Không dẫn đầu khối thi đua", now=REVIEW)
    assert state(cli, item) == "rejected"


def test_every_shipped_flow_has_a_scenario_here() -> None:
    import re

    shipped = {p.stem for p in (Path(__file__).parents[1] / "definitions" / "flows").glob(
        "*.yaml")}
    text = Path(__file__).read_text(encoding="utf-8")
    covered = {s for s in shipped if s in text} | set(re.findall(r'"([a-z-]+)"', text)) & shipped
    assert covered == shipped


# ---- lao động tiên tiến and tập thể lao động xuất sắc ---------------------------------------


def test_ldtt_return_is_reminded_escalated_then_expires(cli: Cli, dossier: Path) -> None:
    cli.ok("register", "bac-ninh-2026", "--unit", "BN-SGD", "--award", "LDTT", "--person",
           "cuong", user="lan", now=DAY1)
    item = str(cli.ok("nominate", "lao-dong-tien-tien", "--unit", "BN-SGD", "--person",
                      "cuong", "--set", "year=2026", "--set", "rating=HTT", user="lan",
                      now=DAY1)["id"])
    attach_all(cli, item, "lan", dossier, "to_trinh", "bao_cao")
    fire(cli, item, "submit", "lan", now=DAY1)
    # 10 working days to supplement: due on 16 March, expired after 15 (23 March)
    assert fire(cli, item, "return", "thu", comment="Bổ sung", now=DAY1)["due_at"] == \
        "2026-03-16T23:59:59+07:00"
    cli.ok("escalate", now=at(20))
    assert state(cli, item) == "returned"
    cli.ok("escalate", now=at(22))
    assert state(cli, item) == "expired"


def test_excellent_collective_is_endorsed_then_decided(cli: Cli, dossier: Path) -> None:
    item = str(cli.ok("nominate", "tap-the-lao-dong-xuat-sac", "--unit", "BN-SGD",
                      "--nominee-unit", "BN-THPT-LTT", "--set", "year=2026", "--set",
                      "rating=HTXS", "--set", "members_completing_pct=100", "--set",
                      "ldtt_pct=90", "--set", "cstdcs_members=3", user="lan", now=DAY1)["id"])
    attach_all(cli, item, "lan", dossier, "to_trinh", "bao_cao", "bien_ban")
    fire(cli, item, "propose", "lan", now=DAY1)
    votes(cli, item, dict.fromkeys(SGD_COUNCIL, "yes"), now=DAY1)
    fire(cli, item, "send", "lan", now=DAY1)
    for trigger in ("accept", "propose_award"):
        fire(cli, item, trigger, "hung", now=at(1))
    fire(cli, item, "award", "tuan", now=at(2))
    granted = [h for h in cli.ok("audit", "log", item) if h["action"] == "granted"]
    assert granted[0]["payload"]["nominee_unit"] == "BN-THPT-LTT"
