"""The flow language as a JSON Schema (draft 2020-12), for editors: completion and key checks.

Built from the reader's own key lists, scopes, types and guard names, so the schema cannot
name a key the reader refuses; ``tests/test_schemas.py`` checks the other direction (every
key the reader accepts is here) and that every valid flow validates. The reader stays the
judge: the schema cannot check the graph (reachable states, references), only the shape.
Titles are Vietnamese (what an editor shows on hover), descriptions English.

A writer: reads the model and the reader's constants only. Must not import the store,
jinja2, typer or apscheduler.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workflow.flow import model
from workflow.flow.io import reader
from workflow.flow.registry import FIELD_OPS, default_guards
from workflow.voting import BASES

__all__ = ["SCHEMA_ID", "flow_schema"]

SCHEMA_ID = "https://award.example/schemas/flow.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]
#: Guards that take no argument (``{name: true}`` or a bare name).
NO_ARGUMENT = ("fields_complete", "no_open_objections", "cluster_leader")


def _obj(title: str, description: str, properties: dict[str, Schema],
         required: Iterable[str] = (), **extra: Any) -> Schema:
    out: Schema = {"type": "object", "title": title, "description": description,
                   "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    out.update(extra)
    return out


def _ref(name: str, title: str | None = None, description: str | None = None) -> Schema:
    out: Schema = {"$ref": f"#/$defs/{name}"}
    if title:
        out["title"] = title
    if description:
        out["description"] = description
    return out


def _days(title: str, description: str) -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": model.MAX_DAYS, "title": title,
            "description": description}


def _window(title: str, description: str) -> dict[str, Schema]:
    return {
        "working_days": _days("Số ngày làm việc", f"{description}: working days (the day of "
                              "entry not counted; weekends and public holidays skipped)."),
        "days": _days("Số ngày", f"{description}: calendar days (a period ending on a "
                      "non-working day moves to the next working day)."),
    }


def _one_of_window() -> list[Schema]:
    return [{"required": ["working_days"], "not": {"required": ["days"]}},
            {"required": ["days"], "not": {"required": ["working_days"]}}]


def flow_schema(guards: Iterable[str] = ()) -> Schema:
    """The JSON Schema of a flow file; ``guards`` are the registered guard names (the
    default registry's when empty)."""
    guard_names = sorted(guards) or default_guards().names()
    scope_list = list(reader.SCOPES)
    defs: dict[str, Schema] = {
        "text": {
            "title": "Văn bản song ngữ",
            "description": "A text for people: a string (Vietnamese) or {vi, en}.",
            "oneOf": [
                {"type": "string", "minLength": 1},
                _obj("Văn bản song ngữ", "Vietnamese first, English second.",
                     {"vi": {"type": "string", "title": "Tiếng Việt",
                             "description": "The Vietnamese text."},
                      "en": {"type": "string", "title": "Tiếng Anh",
                             "description": "The English text."}}),
            ],
        },
        "name": {"type": "string", "pattern": f"^{model.NAME_RE.pattern}$",
                 "title": "Tên", "description": "Lowercase letters, digits and '_'."},
        "scope": {"enum": scope_list, "title": "Phạm vi",
                  "description": "A scope: the nominating unit, its parent, or the nearest "
                                 "ancestor-or-self of a level."},
        "role": {"type": "string",
                 "pattern": f"^[a-z][a-z0-9_]*@({'|'.join(scope_list)})$",
                 "title": "Vai trò tại phạm vi",
                 "description": "ROLE@SCOPE: a role held at the unit the scope finds from the "
                                "nominating unit, e.g. officer@unit, secretariat@province."},
        "roles": {"title": "Vai trò",
                  "description": "One ROLE@SCOPE or a list of them (any of them may act).",
                  "oneOf": [_ref("role"),
                            {"type": "array", "items": _ref("role"), "minItems": 1}]},
        "share": {"title": "Tỷ lệ",
                  "description": "N% (0 < N <= 100), a/b (0 < a <= b), majority (strictly "
                                 "more than half) or all.",
                  "type": "string",
                  "pattern": r"^(majority|all|[0-9]+(\.[0-9]+)?%|[0-9]+/[0-9]+)$"},
        "template": {"type": "string", "pattern": r"^[^/\\.][^/\\]*\.html\.j2$",
                     "title": "Mẫu văn bản",
                     "description": "A document template in templates/ (a plain file name "
                                    "ending in .html.j2)."},
        "field": _obj(
            "Trường thông tin", "A field of the nomination, checked on create and update.",
            {"type": {"enum": list(reader.FIELD_TYPES), "title": "Kiểu",
                      "description": "The value's type; dates are YYYY-MM-DD."},
             "required": {"type": "boolean", "title": "Bắt buộc",
                          "description": "The fields_complete guard needs a value."},
             "label": _ref("text", "Nhãn", "The field's name for people."),
             "values": {"title": "Các giá trị",
                        "description": "type enum only: a list of codes, or a mapping of "
                                       "each code to its label for people.",
                        "oneOf": [{"type": "array", "items": {"type": ["string", "number"]},
                                   "minItems": 1},
                                  {"type": "object", "minProperties": 1,
                                   "additionalProperties": _ref("text")}]},
             "min": {"type": "number", "title": "Nhỏ nhất",
                     "description": "integer and number fields: the smallest value."},
             "max": {"type": "number", "title": "Lớn nhất",
                     "description": "integer and number fields: the largest value."},
             "max_length": {"type": "integer", "minimum": 1, "title": "Độ dài tối đa",
                            "description": "string and text fields: the most characters."}},
            required=["type"]),
        "document": {
            "title": "Loại tài liệu",
            "description": "A dossier document type: null, or {label}.",
            "oneOf": [{"type": "null"},
                      _obj("Loại tài liệu", "A dossier document type.",
                           {"label": _ref("text", "Nhãn",
                                          "The document type's name for people.")})]},
        "sla": _obj("Thời hạn xử lý",
                    "How long the state may take: exactly one of working_days or days.",
                    _window("Thời hạn", "The SLA"), oneOf=_one_of_window()),
        "step": _obj(
            "Bước nhắc, chuyển cấp",
            "Runs once per entry into the state: notify roles and/or fire a system "
            "transition.",
            {"after": {"title": "Sau",
                       "description": "N% of the SLA (rounded up to whole days, 0 < N <= 1000)"
                                      " or a number of days counted like the SLA.",
                       "oneOf": [{"type": "string", "pattern": "^[0-9]{1,4}%$"},
                                 _days("Số ngày", "Days after entry.")]},
             "notify": _ref("roles", "Báo cho",
                            "Who gets an outbox message (everyone holding the role)."),
             "fire": _ref("name", "Chuyển bước",
                          "A by: system transition of this state to fire.")},
            required=["after"], anyOf=[{"required": ["notify"]}, {"required": ["fire"]}]),
        "vote": _obj(
            "Biểu quyết của Hội đồng", "The council's vote on the item (type vote).",
            {"council": _ref("scope", "Hội đồng",
                             "Scope of the council's unit (default unit)."),
             "threshold": _ref("share", "Ngưỡng thông qua", "Share of the basis needed."),
             "of": {"enum": list(BASES), "title": "Tính trên",
                    "description": "members (the whole roll, default), present (in-person "
                                   "ballots) or cast."},
             "quorum": _ref("share", "Tỷ lệ tham gia tối thiểu",
                            "Share of the roll that must cast."),
             "presence": _ref("share", "Tỷ lệ có mặt",
                              "Share of the roll that must vote in person."),
             "secret": {"type": "boolean", "title": "Bỏ phiếu kín",
                        "description": "Secret ballot (default true)."},
             "pass": _ref("name", "Khi thông qua", "State when the vote passes."),
             "fail": _ref("name", "Khi không thông qua", "State when the vote fails."),
             "no_quorum": _ref("name", "Khi không đủ số",
                               "State when too few cast (default: fail)."),
             "close_by": _ref("roles", "Người kết thúc phiên",
                              "Who may close the round (default secretariat@<council>).")},
            required=["threshold", "pass", "fail"]),
        "notice": _obj(
            "Công khai lấy ý kiến",
            "A public notice window (type notice): exactly one of working_days or days.",
            {**_window("Thời gian công khai", "The window"),
             "template": _ref("template", "Mẫu thông báo",
                              "The notice's template (default notice.html.j2)."),
             "then": _ref("name", "Sau khi hết hạn",
                          "State when the window ends with no objection open."),
             "publisher": _ref("scope", "Đơn vị công khai",
                               "Scope of the unit that publishes (default unit).")},
            required=["then"], oneOf=_one_of_window()),
        "confirmations": {
            "type": "object", "title": "Xác nhận của cơ quan",
            "description": "Parallel sign-offs (type confirmations): KEY: ROLE@SCOPE for each "
                           "one, then (all confirmed) and on_negative (one refused).",
            "properties": {
                "then": _ref("name", "Khi đủ xác nhận", "State when every key is confirmed."),
                "on_negative": _ref("name", "Khi có cơ quan không xác nhận",
                                    "State when one key is refused."),
            },
            "propertyNames": {"pattern": f"^{model.NAME_RE.pattern}$"},
            "additionalProperties": _ref("roles"),
            "required": ["then", "on_negative"],
            "minProperties": 3,
        },
        "state": {
            "title": "Bước",
            "description": "A state: null (a plain task) or its settings.",
            "oneOf": [{"type": "null"}, _obj(
                "Bước", "A state of the flow.",
                {"type": {"enum": list(model.STATE_TYPES), "title": "Loại bước",
                          "description": "task (default), vote, notice, confirmations or hold "
                                         "(where objections park items; its own sla and "
                                         "escalate run while an item is held)."},
                 "initial": {"type": "boolean", "title": "Bước đầu",
                             "description": "Exactly one state is initial."},
                 "final": {"type": "boolean", "title": "Bước kết thúc",
                           "description": "Ends the item; needs an outcome."},
                 "outcome": {"enum": list(model.FINAL_OUTCOMES), "title": "Kết quả",
                             "description": "A final state's outcome."},
                 "label": _ref("text", "Nhãn", "The state's name for people."),
                 "sla": _ref("sla"),
                 "escalate": {"type": "array", "items": _ref("step"),
                              "title": "Nhắc và chuyển cấp",
                              "description": "Escalation steps, counted from entry; "
                                             "needs an sla."},
                 "render": {"title": "Văn bản phát hành",
                            "description": "Templates rendered on entry (their sha256 goes "
                                           "into the audit).",
                            "oneOf": [_ref("template"),
                                      {"type": "array", "items": _ref("template")}]},
                 "vote": _ref("vote"),
                 "notice": _ref("notice"),
                 "confirmations": _ref("confirmations")})],
        },
        "guard": {
            "title": "Điều kiện",
            "description": "A guard name, or {guard: argument}: " + "; ".join(
                f"{name}" for name in guard_names) + ".",
            "oneOf": [
                {"enum": guard_names},
                {"type": "object", "minProperties": 1, "maxProperties": 1,
                 "propertyNames": {"enum": guard_names},
                 "properties": {
                     "documents": {"title": "Hồ sơ có đủ tài liệu",
                                   "description": "The dossier holds these document types.",
                                   "oneOf": [_ref("name"), {"type": "array",
                                                            "items": _ref("name")}]},
                     "eligible": {"type": "string", "title": "Đủ điều kiện khen thưởng",
                                  "description": "A catalogue code: the nominee meets its "
                                                 "rule."},
                     "field": _obj("So sánh trường thông tin",
                                   "A field compares with a value.",
                                   {"name": _ref("name", "Trường", "A declared field."),
                                    "op": {"enum": [*FIELD_OPS, "==", "!=", "<", "<=", ">",
                                                    ">="],
                                           "title": "Phép so sánh",
                                           "description": "How to compare."},
                                    "value": {"title": "Giá trị",
                                              "description": "A scalar, or a list for "
                                                             "in/not_in.",
                                              "type": ["string", "number", "boolean",
                                                       "array", "null"]}},
                                   required=["name", "op"]),
                     "registered": {"title": "Đã đăng ký thi đua",
                                    "description": "true: the nominee registered for the "
                                                   "flow's own award in an emulation campaign "
                                                   "covering the nomination's year; or an "
                                                   "award code of the catalogue.",
                                    "oneOf": [{"const": True}, {"type": "string",
                                                                "minLength": 1}]},
                     **{name: {"title": "Không cần tham số",
                               "description": "This guard takes no argument: null or true.",
                               "enum": [None, True]}
                        for name in NO_ARGUMENT if name in guard_names},
                 }},
            ],
        },
        "transition": _obj(
            "Chuyển bước", "A move people (or the scheduler) make between states.",
            {"trigger": {**_ref("name"), "title": "Tên thao tác",
                         "description": "Lowercase name; close_vote, recuse, vote, confirm, "
                                        "object and resolve are built in.",
                         "not": {"enum": sorted(reader.RESERVED_TRIGGERS)}},
             "from": {"title": "Từ bước", "description": "A state or a list of states.",
                      "oneOf": [_ref("name"),
                                {"type": "array", "items": _ref("name"), "minItems": 1}]},
             "to": _ref("name", "Đến bước", "The destination state."),
             "by": {"title": "Người thực hiện",
                    "description": "ROLE@SCOPE, decider (the flow's decider), system (timers "
                                   "only), or a list of them.",
                    "oneOf": [{"enum": ["decider", "system"]}, _ref("role"),
                              {"type": "array", "minItems": 1, "items": {
                                  "oneOf": [{"enum": ["decider", "system"]},
                                            _ref("role")]}}]},
             "require": {"title": "Điều kiện",
                         "description": "Guards checked in order; a refusal names the guard.",
                         "oneOf": [_ref("guard"),
                                   {"type": "array", "items": _ref("guard")}]},
             "comment": {"enum": ["required", "optional"], "title": "Ý kiến",
                         "description": "Whether firing needs a comment."},
             "label": _ref("text", "Nhãn nút", "The words on the web page's button.")},
            required=["trigger", "from", "to", "by"]),
    }
    top = _obj(
        "Quy trình khen thưởng",
        "One award flow: states, who moves an item between them, deadlines, votes, notices "
        "and confirmations. Check a file with `award flows validate`; the reader also checks "
        "the graph (one initial state, every state reachable, no traps).",
        {
            "flow": {"type": "string", "pattern": f"^{model.ID_RE.pattern}$",
                     "title": "Mã quy trình",
                     "description": "The flow's id: lowercase letters, digits and '-'; must "
                                    "match the file name."},
            "title": _ref("text", "Tên quy trình", "The flow's name for people."),
            "description": _ref("text", "Mô tả", "A longer description for people."),
            "award": {"type": "string", "title": "Hình thức khen thưởng",
                      "description": "A code from definitions/catalogue.yaml."},
            "nominee": {"enum": list(model.NOMINEE_KINDS), "title": "Đối tượng",
                        "description": "Who can be nominated."},
            "calendar": {"type": "string", "title": "Lịch làm việc",
                         "description": "A calendar in definitions/calendars/."},
            "decider": _ref("roles", "Người quyết định",
                            "Who decides; 'by: decider' means these roles."),
            "on_upheld": _ref("name", "Khi khiếu nại được chấp nhận",
                              "Where an upheld objection sends an item (default: the first "
                              "final state with outcome rejected)."),
            "ad_hoc": {"type": "boolean", "title": "Khen thưởng đột xuất",
                       "description": "Awards granted here do not count toward merit "
                                      "streaks."},
            "confidential": {"type": "boolean", "title": "Đối tượng làm nhiệm vụ đặc biệt",
                             "description": "Every nominee of the flow is on special or secret "
                                            "tasks: named only to people with a role at the "
                                            "nominating unit or above."},
            "fields": {"type": "object", "title": "Trường thông tin",
                       "description": "The nomination's data, by field name.",
                       "propertyNames": _ref("name"),
                       "additionalProperties": _ref("field")},
            "documents": {"type": "object", "title": "Tài liệu hồ sơ",
                          "description": "The dossier's document types, by name.",
                          "propertyNames": _ref("name"),
                          "additionalProperties": _ref("document")},
            "states": {"type": "object", "title": "Các bước", "minProperties": 1,
                       "description": "Every state, by name (order matters for the default "
                                      "on_upheld).",
                       "propertyNames": _ref("name"),
                       "additionalProperties": _ref("state")},
            "transitions": {"type": "array", "title": "Các chuyển bước",
                            "description": "The declared transitions.",
                            "items": _ref("transition")},
        },
        required=["flow", "title", "award", "nominee", "calendar", "states", "transitions"],
    )
    return {"$schema": DRAFT, "$id": SCHEMA_ID, **top, "$defs": defs}
