"""A nomination's fields: turning user input into typed values a flow declared.

Values arrive as text (``--set rating=HTXS``, a web form) or as JSON values (the API); both are
checked against the flow's :class:`~workflow.flow.model.FieldSpec` and stored as JSON scalars
(dates as ``YYYY-MM-DD``). Every error names the field and what it allows.

Pure: reads the model, raises :mod:`workflow.errors`. Must not import the store, jinja2,
typer, apscheduler or transitions.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workflow.errors import InvalidInput, UsageError
from workflow.flow.model import FieldSpec, FlowSpec
from workflow.yamlnodes import suggest

__all__ = ["clean_text", "coerce", "coerce_all", "fold", "nfc", "parse_assignments"]

_INT = re.compile(r"[-+]?[0-9]+")
#: Numbers a field may hold: 64-bit integers, and decimals of the same magnitude. A value is
#: checked against this and the field's ``min``/``max`` *before* it becomes a Python number,
#: so "1e30000000" is refused at once instead of building a 30-million-digit integer.
LIMIT = 2**63 - 1
MAX_NUMBER_TEXT = 64  # characters of a number as typed; more is not a number anyone means
_TRUE = {"true", "yes", "1", "có", "co"}
_FALSE = {"false", "no", "0", "không", "khong"}


def nfc(text: str) -> str:
    """Unicode NFC: Vietnamese typed with combining marks is stored (and hashed) the same as
    precomposed text."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """``text`` for matching as people search: no diacritics (đ is d), no case, one space."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


# C0 controls but tab, newline and carriage return, and DEL: no one types them, PostgreSQL
# refuses NUL in text, and terminals obey the others
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


MAX_TEXT = 10_000  # characters of any text a person types, when nothing says less


def clean_text(raw: str | None, what: str, max_length: int = MAX_TEXT) -> str:
    """Text a person typed (a name, a comment, an objection): NFC, trimmed, no control
    characters, at most ``max_length`` characters; an InvalidInput naming ``what`` if not."""
    text = nfc((raw or "").strip())
    if _CONTROL.search(text):
        raise InvalidInput(f"{what} must not contain control characters (such as NUL)",
                           msgid="text.control")
    if len(text) > max_length:
        raise InvalidInput(f"{what} is longer than {max_length} characters",
                           msgid="text.too_long", values={"max": max_length})
    return text


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``; a pair without ``=`` is an error."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {pair!r}: write KEY=VALUE", msgid="fields.assignment",
                             value=pair)
        out[key.strip()] = value
    return out


def coerce_all(flow: FlowSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in values.items():
        spec = flow.fields.get(name)
        if spec is None:
            known = list(flow.fields)
            raise InvalidInput(
                f"flow {flow.id!r} has no field {name!r}{suggest(name, known)}; "
                f"fields: {', '.join(known) or 'none'}", msgid="fields.unknown",
                values={"fields": known}, field=name)
        out[name] = coerce(spec, raw)
    return out


def coerce(spec: FieldSpec, raw: Any) -> Any:
    """The stored value of ``raw`` for a field; ``""``/``None`` clears it."""
    if raw is None or raw == "":
        return None
    what = f"field {spec.name!r}"
    text: Any = str(raw).strip() if not isinstance(raw, bool | int | float) else raw
    if spec.type in ("string", "text"):
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            # a list or an object from the API is not text: never store its Python repr
            raise InvalidInput(f"{what} must be text, got {type(raw).__name__}",
                               msgid="fields.not_text", field=spec.name)
        string = nfc(str(raw))
        if _CONTROL.search(string):
            raise InvalidInput(f"{what} must not contain control characters (such as NUL)",
                               msgid="fields.control", field=spec.name)
        longest = spec.max_length or MAX_TEXT
        if len(string) > longest:
            raise InvalidInput(f"{what} is longer than {longest} characters",
                               msgid="fields.too_long", values={"max": longest},
                               field=spec.name)
        return string
    if spec.type == "integer":
        if isinstance(text, int) and not isinstance(text, bool):
            return _bounded(spec, Decimal(text))
        if isinstance(text, str) and len(text) > MAX_NUMBER_TEXT:
            raise InvalidInput(f"{what} must be an integer of at most {MAX_NUMBER_TEXT} "
                               "characters", msgid="fields.integer", field=spec.name)
        if not (isinstance(text, str) and _INT.fullmatch(text)):
            raise InvalidInput(f"{what} must be an integer, got {_echo(raw)}",
                               msgid="fields.integer", field=spec.name)
        return _bounded(spec, Decimal(text))
    if spec.type == "number":
        if isinstance(text, float):
            number = Decimal(repr(text)) if math.isfinite(text) else Decimal("NaN")
        elif isinstance(text, int) or len(text) <= MAX_NUMBER_TEXT:
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise InvalidInput(f"{what} must be a number, got {_echo(raw)}",
                                   msgid="fields.number", field=spec.name) from None
        else:
            raise InvalidInput(f"{what} must be a number of at most {MAX_NUMBER_TEXT} "
                               "characters", msgid="fields.number", field=spec.name)
        if not number.is_finite():
            raise InvalidInput(f"{what} must be a finite number", msgid="fields.number",
                               field=spec.name)
        return _bounded(spec, number)
    if spec.type == "boolean":
        if isinstance(text, bool):
            return text
        lowered = str(text).lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise InvalidInput(f"{what} must be true or false, got {_echo(raw)}",
                           msgid="fields.boolean", field=spec.name)
    if spec.type == "date":
        try:
            return date.fromisoformat(str(text)).isoformat()
        except ValueError:
            raise InvalidInput(f"{what} must be a date YYYY-MM-DD, got {_echo(raw)}",
                               msgid="fields.date", field=spec.name) from None
    # enum
    text = nfc(str(text))
    if text not in spec.values:
        raise InvalidInput(
            f"{what} must be one of {', '.join(spec.values)}, got {_echo(raw)}"
            f"{suggest(str(text), spec.values)}", msgid="fields.enum",
            values={"choices": list(spec.values)}, field=spec.name,
            allowed=list(spec.values))
    return str(text)


def _bounded(spec: FieldSpec, value: Decimal) -> int | float:
    """``value`` as stored (an int when it is whole, else a float), once it is known to lie
    within the field's bounds and the 64-bit range; Decimal compares without converting."""
    if value.adjusted() > 18 or value.copy_abs() > LIMIT:  # no arithmetic on huge exponents
        _out_of_range(spec)
    if spec.min is not None and value < Decimal(repr(spec.min)):
        raise InvalidInput(f"field {spec.name!r} must be at least {spec.min}, got "
                           f"{_echo(value)}", msgid="fields.min", values={"min": spec.min},
                           field=spec.name)
    if spec.max is not None and value > Decimal(repr(spec.max)):
        raise InvalidInput(f"field {spec.name!r} must be at most {spec.max}, got "
                           f"{_echo(value)}", msgid="fields.max", values={"max": spec.max},
                           field=spec.name)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _out_of_range(spec: FieldSpec) -> None:
    low = spec.min if spec.min is not None else -LIMIT
    high = spec.max if spec.max is not None else LIMIT
    raise InvalidInput(f"field {spec.name!r} is out of range: allowed {low} to {high}",
                       msgid="fields.range", values={"min": low, "max": high},
                       field=spec.name)


def _echo(value: Any) -> str:
    """A value for an error message, cut short: a message must not carry a megabyte back."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"
