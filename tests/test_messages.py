"""The engine's errors and the message catalogue stay in step (see ``workflow/errors.py``).

Read from the source: every error raised where a person on the web can meet it carries a
message id; every message id the code names is in the catalogue, in both languages; every
value a catalogue sentence names is one the raise supplies. And rendered: a refusal reads
with the flow's labels, the catalogue's titles and the directory's names, never codes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from workflow.errors import AwardError, GuardRefused, InvalidInput, NotAllowed, Reason
from workflow.flow import FIELD_OPS
from workflow.web.labels import Names
from workflow.web.messages import CATALOGUE, placeholders, say, say_error

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workflow"

#: where a person on the web can meet an error: these must say it through the catalogue
SPOKEN = ["service", "web", "flow/fields.py", "machine.py", "ids.py", "definitions.py",
          "store/items.py", "catalogue.py", "flow/registry.py"]
#: errors only the command line and administrators see (files, passwords, the schema)
UNSPOKEN = {
    "service/facades/accounts.py",  # award passwd
    "service/facades/audit.py",  # award audit verify --export FILE
    "service/facades/setup.py",  # award init, /healthz (JSON for monitors)
}


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


ERRORS = {cls.__name__ for cls in (AwardError, *_subclasses(AwardError))} - {"DefinitionError"}


def _files() -> list[Path]:
    out: list[Path] = []
    for part in SPOKEN:
        path = PACKAGE / part
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [p for p in out if str(p.relative_to(PACKAGE)) not in UNSPOKEN]


def _calls(names: set[str]) -> list[tuple[Path, ast.Call]]:
    found = []
    for path in _files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in names:
                found.append((path, node))
    return found


def _keywords(call: ast.Call) -> set[str]:
    """The values a call supplies: its keywords, and the keys of a literal ``values={…}``."""
    names = {k.arg for k in call.keywords if k.arg}
    for k in call.keywords:
        if k.arg == "values" and isinstance(k.value, ast.Dict):
            names |= {key.value for key in k.value.keys if isinstance(key, ast.Constant)}
    return names - {"msgid", "values"}


def _literal_msgid(call: ast.Call) -> str | None:
    for k in call.keywords:
        if k.arg == "msgid" and isinstance(k.value, ast.Constant):
            return str(k.value.value)
    return None


def test_every_error_a_person_can_meet_has_a_message_id() -> None:
    # GuardRefused and ListRejected carry their own message ids
    calls = [(p, c) for p, c in _calls(ERRORS)
             if c.func.id not in ("GuardRefused", "ListRejected")]  # type: ignore[attr-defined]
    assert len(calls) > 60
    missing = [f"{p.relative_to(ROOT)}:{c.lineno}" for p, c in calls
               if not any(k.arg == "msgid" for k in c.keywords)]
    assert not missing, "errors without msgid=: " + ", ".join(missing)


def test_every_literal_message_id_is_in_the_catalogue_with_the_values_it_names() -> None:
    problems = []
    for path, call in _calls(ERRORS):
        msgid = _literal_msgid(call)
        if msgid is None:
            continue
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        if msgid not in CATALOGUE:
            problems.append(f"{where}: {msgid} is not in the catalogue")
            continue
        lacking = placeholders(CATALOGUE[msgid][0]) - _keywords(call)
        if lacking:
            problems.append(f"{where}: {msgid} names {sorted(lacking)}, not supplied")
    for path, call in _calls({"Reason"}):
        if not call.args or not isinstance(call.args[0], ast.Constant):
            continue
        msgid = str(call.args[0].value)
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        if msgid not in CATALOGUE:
            problems.append(f"{where}: {msgid} is not in the catalogue")
            continue
        supplied: set[str] = set()
        if len(call.args) > 2 and isinstance(call.args[2], ast.Dict):
            supplied = {k.value for k in call.args[2].keys if isinstance(k, ast.Constant)}
        lacking = placeholders(CATALOGUE[msgid][0]) - supplied
        if lacking:
            problems.append(f"{where}: {msgid} names {sorted(lacking)}, not supplied")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("family", ["guard.field", "rule.field"])
def test_message_ids_made_from_a_name_exist_for_every_name(family: str) -> None:
    for op in FIELD_OPS:
        assert f"{family}.{op}" in CATALOGUE
    for year in ("same", "previous", "any"):
        assert f"rule.held.{year}" in CATALOGUE
    for ending in ("same", "previous"):
        assert f"rule.streak.{ending}" in CATALOGUE
    for kind in ("all", "any", "not"):
        assert f"rule.{kind}" in CATALOGUE


def _names(lang: str) -> Names:
    words = {"id": "csdtcs", "title": {"vi": "Chiến sĩ thi đua cơ sở"},
             "states": {"draft": {"vi": "Dự thảo", "en": "Draft"}},
             "triggers": {"submit": {"vi": "Trình hồ sơ", "en": "Submit"}},
             "documents": {"to_trinh": {"vi": "Tờ trình", "en": "Cover letter"},
                           "bao_cao": {"vi": "Báo cáo thành tích", "en": "Report"}},
             "fields": {"rating": {"vi": "Xếp loại", "en": "Rating"}},
             "values": {"rating": {"HTXS": {"vi": "Hoàn thành xuất sắc nhiệm vụ",
                                            "en": "Excellent"}}}}
    return Names(lang, words, {"BN-SGD": "Sở Giáo dục và Đào tạo"},
                 {"LDTT": {"vi": "Lao động tiên tiến", "en": "Advanced worker"},
                  "CSTDCS": {"vi": "Chiến sĩ thi đua cơ sở"}})


def test_a_refusal_reads_with_labels_nested_reasons_included() -> None:
    documents = GuardRefused("submit", "documents", Reason(
        "guard.documents_missing", "dossier is missing: to_trinh, bao_cao",
        {"doctypes": ["to_trinh", "bao_cao"]}), state="draft")
    assert say_error(documents, _names("vi"), lambda: "?") == (
        "Chưa thể “Trình hồ sơ”: hồ sơ còn thiếu: Tờ trình, Báo cáo thành tích.")
    assert say_error(documents, _names("en"), lambda: "?") == (
        "“Submit” is not possible yet: the dossier lacks: Cover letter, Report.")
    rule = Reason("rule.needs", "needs LDTT held in the nomination's year", {
        "rule": Reason("rule.held.same", "LDTT held in the nomination's year",
                       {"award": "LDTT"})})
    none_of = Reason("rule.none_of", "none of: …", {"reasons": [rule, Reason(
        "rule.needs_is", "needs field rating eq 'HTXS' (is 'HT')", {
            "rule": Reason("rule.field.eq", "", {"field": "rating", "value": "HTXS"}),
            "field": "rating", "value": None})]})
    eligible = Reason("eligible.failed", "CSTDCS: …", {"award": "CSTDCS", "reason": none_of})
    assert say(eligible, _names("vi")) == (
        "chưa đủ điều kiện “Chiến sĩ thi đua cơ sở”: chưa đáp ứng điều kiện nào trong số: "
        "cần đạt “Lao động tiên tiến” trong năm xét; cần “Xếp loại” là Hoàn thành xuất sắc "
        "nhiệm vụ (hiện là chưa có)")
    # the dict form a service hands over (``Reason.as_dict``) reads the same
    assert say(eligible.as_dict(), _names("vi")) == say(eligible, _names("vi"))


def test_an_error_without_a_message_reads_generically_in_vietnamese() -> None:
    bare = NotAllowed("something new went wrong")
    assert say_error(bare, _names("vi"), lambda: "Chưa thể thực hiện.") == "Chưa thể thực hiện."
    assert say_error(bare, _names("en"), lambda: "?") == "something new went wrong"
    comment = InvalidInput("'submit' needs a comment (--comment TEXT)",
                           msgid="fire.comment_required", trigger="submit")
    assert say_error(comment, _names("vi"), lambda: "?") == "“Trình hồ sơ” cần ghi ý kiến."
    # the command line's JSON keeps its shape: the message id is not one of the fields
    assert comment.to_dict() == {"type": "InvalidInput", "message": comment.message,
                                 "trigger": "submit"}
