"""How the engine's records read for people: an audit entry's action and details, a closed
round's result, a document the engine issued. Codes go through :class:`Names`; the words are
the interface's (:mod:`workflow.web.i18n`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from workflow.catalogue import OBJECTION_KINDS
from workflow.voting import parse_share
from workflow.web.labels import Names

__all__ = ["action_label", "ballot_outcome", "document_label", "payload_rows"]

Words = Callable[..., str]

# details that only repeat the row (the trigger of a move is its action) or mean nothing to
# a reader (timer ids)
_SKIP = {"trigger", "timer", "written_count"}
_PEOPLE = {"member", "recorded_by", "person"}


def action_label(entry: Mapping[str, Any], names: Names, t: Words) -> str:
    """An audit entry's action: a move by its trigger's label, anything else in words."""
    payload = entry.get("payload") if isinstance(entry.get("payload"), Mapping) else {}
    action = str(entry.get("action", ""))
    trigger = payload.get("trigger") if isinstance(payload, Mapping) else None
    if action == "fired" and isinstance(trigger, str):
        return names.trigger(trigger)
    return _word(t, f"action.{action}", action)


def document_label(template: str, t: Words) -> str:
    """A document the engine issued, named for people (``decision.html.j2`` → the
    decision)."""
    return _word(t, f"template.{template.split('.', 1)[0]}", template)


def payload_rows(payload: Any, names: Names, t: Words, people: Mapping[str, str]
                 ) -> list[tuple[str, str, bool]]:
    """An entry's details as ``(label, value, is_hash)`` rows, each value in words."""
    if not isinstance(payload, Mapping):
        return [(t("col.payload"), str(payload), False)] if payload not in (None, "") else []
    rows = []
    if "passed" in payload and "reason" in payload:  # a tally: say why from its numbers
        payload = {**payload, "reason": ballot_outcome(payload, t)}
    for key, value in payload.items():
        if key in _SKIP or value is None or value in ("", [], {}):
            continue
        rows.append((_word(t, f"payload.{key}", key), _value(key, value, names, t, people),
                     key.endswith(("hash", "sha256", "version"))))
    return rows


def _value(key: str, value: Any, names: Names, t: Words, people: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return names.yes_no(value)
    if isinstance(value, list):
        return ", ".join(_value(key, v, names, t, people) for v in value)
    if isinstance(value, Mapping):
        if key == "fields":
            return "; ".join(f"{names.field(k)}: {_value(k, v, names, t, people)}"
                             for k, v in value.items())
        if key == "confirmations":
            return "; ".join(f"{names.confirmation(k)}: {_word(t, f'decision.{v}', str(v))}"
                             for k, v in value.items())
        return "; ".join(f"{_word(t, f'payload.{k}', k)}: {_value(k, v, names, t, people)}"
                         for k, v in value.items())
    text = str(value)
    if key in ("type",):
        return names.document(text)
    if key in ("origin", "state", "from", "to"):
        return names.state(text)
    if key in ("council", "unit"):
        return names.unit(text)
    if key in ("flow",):
        return names.flow(text)
    if key in ("notify",):
        return names.role(text)
    if key in _PEOPLE or key == "recipients":
        return names.person(text, people)
    if key == "of":
        return _word(t, f"basis.{text}", text)
    if key == "choice":
        return _word(t, f"ballot.{text}", text)
    if key == "kind" and text in OBJECTION_KINDS:  # an objection's kind (góp ý, khiếu nại …)
        return _word(t, f"objection.kind.{text}", text)
    if key == "decision":
        return _word(t, f"decision.{text}", text)
    if key == "reason" and " " in text:  # already words (a tally's outcome)
        return text
    if key in ("outcome", "reason"):
        return _word(t, f"{key}.{text}", text)
    if key == "key":
        return names.confirmation(text)
    if key == "template":
        return document_label(text, t)
    if key == "rating" or names.words.get("values", {}).get(key):
        return names.value(key, text)
    return text


def ballot_outcome(tally: Mapping[str, Any], t: Words) -> str:
    """Why a closed round passed or failed, from its stored tally (the numbers, not the
    English ``reason`` the engine wrote)."""
    members = tally.get("members") or 0
    cast = tally.get("cast") or 0
    basis = _word(t, f"basis.{tally.get('of', 'members')}", str(tally.get("of", "")))
    if tally.get("passed"):
        return t("tally.passed", yes=tally.get("yes", 0), base=tally.get("base", 0),
                 basis=basis, threshold=tally.get("threshold", ""),
                 required=tally.get("required_yes", 0))
    if tally.get("quorum") and tally.get("quorum_met") is False and tally.get(
            "quorum_required") is not None and cast < tally["quorum_required"]:
        return t("tally.no_quorum", cast=cast, members=members, quorum=tally["quorum"],
                 required=tally["quorum_required"])
    if tally.get("presence") and tally.get("quorum_met") is False:
        share = parse_share(str(tally["presence"]), what="presence")
        return t("tally.no_presence", present=tally.get("present", 0), members=members,
                 presence=tally["presence"], required=share.required(members))
    if cast == 0:
        return t("tally.no_ballots")
    if not tally.get("base"):
        return t("tally.none_in_person", cast=cast)
    return t("tally.failed", yes=tally.get("yes", 0), base=tally.get("base", 0), basis=basis,
             threshold=tally.get("threshold", ""), required=tally.get("required_yes", 0))


def _word(t: Words, key: str, fallback: str) -> str:
    said = t(key)
    return fallback if said == key else said
