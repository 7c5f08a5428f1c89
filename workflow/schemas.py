"""JSON Schemas (draft 2020-12) of every kind of definition file, for editors.

``flow`` comes from :mod:`workflow.flow.io.schema`; ``calendar``, ``catalogue`` and
``directory`` are built here from their readers' constants. Each is shipped as
``definitions/KIND.schema.json`` and named on the first line of the files of that kind
(``# yaml-language-server: $schema=…``); ``tests/test_schemas.py`` keeps the shipped files,
the readers and these schemas in step. Titles Vietnamese, descriptions English.

Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from workflow import calendar, catalogue, directory
from workflow.flow import FIELD_OPS, LEVELS, NOMINEE_KINDS
from workflow.flow.io.schema import DRAFT, flow_schema

__all__ = ["KINDS", "schema_for", "schema_text"]

KINDS = ("flow", "calendar", "catalogue", "directory")
BASE = "https://award.example/schemas/"

Schema = dict[str, Any]


def _obj(title: str, description: str, properties: dict[str, Schema],
         required: Iterable[str] = (), **extra: Any) -> Schema:
    out: Schema = {"type": "object", "title": title, "description": description,
                   "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    out.update(extra)
    return out


_TEXT: Schema = {
    "title": "Văn bản song ngữ", "description": "A string (Vietnamese) or {vi, en}.",
    "oneOf": [{"type": "string"},
              _obj("Văn bản song ngữ", "Vietnamese first, English second.",
                   {"vi": {"type": "string", "title": "Tiếng Việt", "description": "Vietnamese."},
                    "en": {"type": "string", "title": "Tiếng Anh", "description": "English."}})]}
_DATE: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "title": "Ngày",
                 "description": "A date, YYYY-MM-DD."}


def _calendar() -> Schema:
    day = {"title": "Ngày", "description": "A date, or {date, note}.",
           "oneOf": [_DATE, _obj("Ngày", "A date with a note.",
                                 {"date": _DATE,
                                  "note": {"type": "string", "title": "Ghi chú",
                                           "description": "Why (e.g. the announcement)."}},
                                 required=["date"])]}
    props = {
        "calendar": {"type": "string", "pattern": "^[a-z][a-z0-9_-]*$", "title": "Mã lịch",
                     "description": "The calendar's id; must match the file name."},
        "title": {**_TEXT, "title": "Tên lịch"},
        "timezone": {"type": "string", "title": "Múi giờ",
                     "description": "An IANA time zone, e.g. Asia/Ho_Chi_Minh."},
        "weekend": {"type": "array", "items": {"enum": list(calendar.WEEKDAYS)},
                    "uniqueItems": True, "title": "Ngày nghỉ cuối tuần",
                    "description": "Weekday names off every week."},
        "holidays": _obj("Ngày lễ", "Public holidays from the holidays package.",
                         {"country": {"type": "string", "pattern": "^[A-Z]{2,3}$",
                                      "title": "Quốc gia", "description": "ISO country code."},
                          "subdivision": {"type": "string", "title": "Vùng",
                                          "description": "A subdivision code of the country."}},
                         required=["country"]),
        "days_off": {"type": "array", "items": day, "title": "Ngày nghỉ thêm",
                     "description": "Days off announced by the government (swaps, extra days)."},
        "working_days": {"type": "array", "items": day, "title": "Ngày làm bù",
                         "description": "Days worked back (e.g. a Saturday)."},
    }
    return _obj("Lịch làm việc", "A working calendar: weekends, public holidays and the "
                "year's announced swaps.", props, required=["calendar", "title", "timezone",
                                                            "weekend"])


def _catalogue() -> Schema:
    code = {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$", "title": "Mã khen thưởng",
            "description": "An award code of this catalogue."}
    ad_hoc = {"type": "boolean", "title": "Tính cả khen thưởng đột xuất",
              "description": "Count awards granted through an ad-hoc flow too."}
    rule_ref = {"$ref": "#/$defs/rule"}
    rules: list[Schema] = [
        _obj("Tất cả", "Every rule holds.", {"all": {"type": "array", "items": rule_ref,
                                                    "minItems": 1, "title": "Tất cả",
                                                    "description": "Rules."}},
             required=["all"]),
        _obj("Một trong", "At least one rule holds.",
             {"any": {"type": "array", "items": rule_ref, "minItems": 1, "title": "Một trong",
                      "description": "Rules."}}, required=["any"]),
        _obj("Không", "The rule does not hold.", {"not": rule_ref}, required=["not"]),
        _obj("Đã được khen", "The nominee holds an award.",
             {"held": code, "year": {"enum": list(catalogue.YEAR_REFS), "title": "Năm",
                                     "description": "same, previous or any year."},
              "include_ad_hoc": ad_hoc}, required=["held"]),
        _obj("Liên tục", "Consecutive years holding an award.",
             {"streak": _obj("Liên tục", "N consecutive years.",
                             {"award": code, "years": {"type": "integer", "minimum": 1,
                                                       "title": "Số năm",
                                                       "description": "How many."},
                              "ending": {"enum": ["same", "previous"], "title": "Kết thúc",
                                         "description": "Ending the nomination's year or "
                                                        "the one before."}},
                             required=["award", "years"]),
              "include_ad_hoc": ad_hoc}, required=["streak"]),
        _obj("Số lần", "How many times an award was held.",
             {"count": _obj("Số lần", "At least N times.",
                            {"award": code,
                             "at_least": {"type": "integer", "minimum": 1, "title": "Ít nhất",
                                          "description": "How many times."},
                             "within": {"type": "integer", "minimum": 1, "title": "Trong",
                                        "description": "Within the last N years."},
                             "since": {**code, "description": "Counted since this award."}},
                            required=["award", "at_least"]),
              "include_ad_hoc": ad_hoc}, required=["count"]),
        _obj("Đối tượng", "The flow's nominee kind is one of these.",
             {"nominee": {"title": "Đối tượng", "description": "Kinds of nominee.",
                          "oneOf": [{"enum": list(NOMINEE_KINDS)},
                                    {"type": "array", "items": {"enum": list(NOMINEE_KINDS)}}]}},
             required=["nominee"]),
        _obj("Dẫn đầu cụm, khối thi đua", "The nominee unit leads its emulation cluster's closed "
             "ranking in a campaign covering the year.",
             {"cluster_leader": {"const": True, "title": "Dẫn đầu cụm, khối",
                                 "description": "Always true."}}, required=["cluster_leader"]),
        {**_obj("Trường thông tin", "A nomination field compares with a value: field: NAME "
                "and one operator.",
                {"field": {"type": "string", "title": "Trường",
                           "description": "The field's name."},
                 **{op: {"title": op, "description": f"The {op} comparison."}
                    for op in FIELD_OPS}}, required=["field"]),
         "minProperties": 2, "maxProperties": 2},
    ]
    award = _obj(
        "Hình thức khen thưởng", "One award: what it is, who decides it, its rule.",
        {"title": {**_TEXT, "title": "Tên"},
         "form": {"enum": list(catalogue.FORMS), "title": "Loại hình",
                  "description": "title, commendation, honour, order, medal or flag."},
         "level": {"enum": list(LEVELS), "title": "Cấp",
                   "description": "The level that grants it."},
         "nominees": {"title": "Đối tượng", "description": "Kinds of nominee.",
                      "oneOf": [{"enum": list(NOMINEE_KINDS)},
                                {"type": "array", "items": {"enum": list(NOMINEE_KINDS)}}]},
         "decided_by": {"type": "string", "title": "Thẩm quyền quyết định",
                        "description": "Who decides, in words."},
         "basis": {"type": "string", "title": "Căn cứ", "description": "The legal basis."},
         "counts_in_history": {"type": "boolean", "title": "Tính vào thành tích",
                               "description": "Counts toward merit rules (default true)."},
         "thematic": {"type": "boolean", "title": "Khen thưởng theo chuyên đề",
                      "description": "A thematic award: like an ad-hoc one, never counted by "
                                     "merit rules unless a rule says include_ad_hoc."},
         "rule": rule_ref,
         "note": {"type": "string", "title": "Ghi chú", "description": "A note."}},
        required=["title", "form", "level", "nominees"])
    assert set(award["properties"]) == set(catalogue.AWARD_KEYS)
    period = {"type": "integer", "minimum": 1, "maximum": catalogue.MAX_PERIOD}
    kind = _obj(
        "Loại đơn", "A kind of objection: its label, handling period and extension.",
        {"label": {**_TEXT, "title": "Tên"},
         "days": {**period, "title": "Thời hạn giải quyết",
                  "description": "Working days from filing (the filing day not counted)."},
         "extension": {**period, "minimum": 0, "title": "Gia hạn",
                       "description": "The one extension allowed, in working days (0: none)."},
         "basis": {"type": "string", "title": "Căn cứ", "description": "The legal basis."}},
        required=["label", "days"])
    assert set(kind["properties"]) == set(catalogue.OBJECTION_KEYS)
    return {**_obj("Danh mục khen thưởng", "The awards flows grant, with eligibility rules "
                   "as data.", {"awards": {"type": "object", "title": "Các hình thức",
                                           "description": "Awards by code.",
                                           "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]*$"},
                                           "additionalProperties": award},
                    "grassroots_levels": {"type": "array", "items": {"enum": list(LEVELS)},
                                          "title": "Cấp cơ sở",
                                          "description": "Unit levels that count as grassroots "
                                                         "in the priority shares of reports."},
                    "objection_kinds": _obj(
                        "Loại đơn thư", "Handling periods by kind of objection.",
                        {code: {"$ref": "#/$defs/objection_kind"}
                         for code in catalogue.OBJECTION_KINDS})},
                   required=["awards"]),
            "$defs": {"rule": {"title": "Điều kiện", "description": "An eligibility rule.",
                               "oneOf": rules},
                      "objection_kind": kind}}


def _directory() -> Schema:
    unit = _obj("Đơn vị", "A unit of the organisation.",
                {"id": {"type": "string", "pattern": f"^{directory.UNIT_ID_RE.pattern}$",
                        "title": "Mã đơn vị", "description": "The unit's id."},
                 "name": {"type": "string", "title": "Tên", "description": "Its name."},
                 "level": {"enum": list(LEVELS), "title": "Cấp",
                           "description": "Its level (scopes find units by level)."},
                 "parent": {"type": "string", "title": "Đơn vị cấp trên",
                            "description": "The parent unit's id."},
                 "remote": {"type": "boolean", "title": "Vùng sâu, vùng xa",
                            "description": "A remote, border, island or ethnic-minority area "
                                           "(a priority group of reports)."}},
                required=["id", "name", "level"])
    grant = {"type": "string", "pattern": f"^{directory.GRANT_RE.pattern}$",
             "title": "Vai trò", "description": "ROLE@UNIT_ID, e.g. officer@BN-SGD."}
    person = _obj("Người", "A person: login, name, roles held at units.",
                  {"login": {"type": "string", "pattern": f"^{directory.LOGIN_RE.pattern}$",
                             "not": {"enum": sorted(directory.RESERVED_LOGINS)},
                             "title": "Tên đăng nhập", "description": "Their login."},
                   "name": {"type": "string", "title": "Họ và tên", "description": "Full name."},
                   "roles": {"title": "Vai trò", "description": "Roles held at units.",
                             "oneOf": [grant, {"type": "array", "items": grant}]},
                   "email": {"type": "string", "title": "Thư điện tử",
                             "description": "Where messages go."},
                   "unit": {"type": "string", "title": "Nơi công tác",
                            "description": "The unit they work at."},
                   "gender": {"enum": list(directory.GENDERS), "title": "Giới tính",
                              "description": "F (nữ) or M (nam), when known."},
                   "ethnicity": {"type": "string", "title": "Dân tộc",
                                 "description": "Their ethnic group; any but Kinh counts as "
                                                "an ethnic minority."},
                   "direct_worker": {"type": "boolean", "title": "Lao động trực tiếp",
                                     "description": "A direct worker (a priority group)."}},
                  required=["login", "name"])
    prior = _obj("Khen thưởng đã có", "An award the person already holds.",
                 {"person": {"type": "string", "title": "Người", "description": "A login."},
                  "award": {"type": "string", "title": "Mã khen thưởng",
                            "description": "A catalogue code."},
                  "year": {"type": "integer", "minimum": 1900, "maximum": 2100, "title": "Năm",
                           "description": "The year."}},
                 required=["person", "award", "year"])
    registration = _obj(
        "Đăng ký thi đua", "A campaign registration made before the engine (on paper): the "
        "unit itself (no person) or one of its people, for an award of the campaign.",
        {"campaign": {"type": "string", "title": "Phong trào thi đua",
                      "description": "A campaign's id (definitions/campaigns/)."},
         "unit": {"type": "string", "title": "Đơn vị", "description": "The registering unit."},
         "person": {"type": "string", "title": "Người",
                    "description": "A login; left out when the unit registers itself."},
         "award": {"type": "string", "title": "Mã khen thưởng",
                   "description": "An award code the campaign offers."}},
        required=["campaign", "unit", "award"])
    return _obj("Danh bạ", "Units, people with their roles, prior awards and campaign "
                "registrations.",
                {"units": {"type": "array", "items": unit, "title": "Đơn vị",
                           "description": "Units."},
                 "people": {"type": "array", "items": person, "title": "Người",
                            "description": "People."},
                 "awards": {"type": "array", "items": prior, "title": "Khen thưởng đã có",
                            "description": "Prior awards."},
                 "registrations": {"type": "array", "items": registration,
                                   "title": "Đăng ký thi đua",
                                   "description": "Campaign registrations made on paper."}})


def schema_for(kind: str, guards: Iterable[str] = ()) -> Schema:
    """The schema of one kind of definition file (:data:`KINDS`)."""
    if kind == "flow":
        return flow_schema(guards)
    build = {"calendar": _calendar, "catalogue": _catalogue, "directory": _directory}.get(kind)
    if build is None:
        raise ValueError(f"no schema for {kind!r}; kinds: {', '.join(KINDS)}")
    return {"$schema": DRAFT, "$id": f"{BASE}{kind}.schema.json", **build()}


def schema_text(kind: str, guards: Iterable[str] = ()) -> str:
    """The schema as shipped: indented JSON, UTF-8 (Vietnamese titles kept), a final newline."""
    return json.dumps(schema_for(kind, guards), ensure_ascii=False, indent=2) + "\n"
