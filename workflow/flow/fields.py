"""A nomination's fields: turning user input into typed values a flow declared.

Values arrive as text (``--set rating=HTXS``, a web form) or as JSON values (the API); both are
checked against the flow's :class:`~workflow.flow.spec.FieldSpec` and stored as JSON scalars
(dates as ``YYYY-MM-DD``). Every error names the field and what it allows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workflow.errors import InvalidInput, UsageError
from workflow.flow.spec import FieldSpec, FlowSpec
from workflow.yamlnodes import suggest

__all__ = ["coerce", "coerce_all", "nfc", "parse_assignments"]

_INT = re.compile(r"[-+]?[0-9]+")
_TRUE = {"true", "yes", "1", "có", "co"}
_FALSE = {"false", "no", "0", "không", "khong"}


def nfc(text: str) -> str:
    """Unicode NFC: Vietnamese typed with combining marks is stored (and hashed) the same as
    precomposed text."""
    return unicodedata.normalize("NFC", text)


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``; a pair without ``=`` is an error."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {pair!r}: write KEY=VALUE", value=pair)
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
                f"fields: {', '.join(known) or 'none'}", field=name)
        out[name] = coerce(spec, raw)
    return out


def coerce(spec: FieldSpec, raw: Any) -> Any:
    """The stored value of ``raw`` for a field; ``""``/``None`` clears it."""
    if raw is None or raw == "":
        return None
    what = f"field {spec.name!r}"
    text: Any = str(raw).strip() if not isinstance(raw, bool | int | float) else raw
    if spec.type in ("string", "text"):
        string = nfc(str(raw))
        if spec.max_length is not None and len(string) > spec.max_length:
            raise InvalidInput(f"{what} is longer than {spec.max_length} characters",
                               field=spec.name)
        return string
    if spec.type == "integer":
        if isinstance(text, bool) or not (isinstance(text, int) or _INT.fullmatch(str(text))):
            raise InvalidInput(f"{what} must be an integer, got {raw!r}", field=spec.name)
        return _bounded(spec, int(text))
    if spec.type == "number":
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            raise InvalidInput(f"{what} must be a number, got {raw!r}", field=spec.name) from None
        if not number.is_finite():
            raise InvalidInput(f"{what} must be a finite number", field=spec.name)
        exact = number == number.to_integral_value()
        return _bounded(spec, int(number) if exact else float(number))
    if spec.type == "boolean":
        if isinstance(text, bool):
            return text
        lowered = str(text).lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise InvalidInput(f"{what} must be true or false, got {raw!r}", field=spec.name)
    if spec.type == "date":
        try:
            return date.fromisoformat(str(text)).isoformat()
        except ValueError:
            raise InvalidInput(f"{what} must be a date YYYY-MM-DD, got {raw!r}",
                               field=spec.name) from None
    # enum
    text = nfc(str(text))
    if text not in spec.values:
        raise InvalidInput(
            f"{what} must be one of {', '.join(spec.values)}, got {raw!r}"
            f"{suggest(str(text), spec.values)}", field=spec.name, allowed=list(spec.values))
    return str(text)


def _bounded(spec: FieldSpec, value: int | float) -> int | float:
    if spec.min is not None and value < spec.min:
        raise InvalidInput(f"field {spec.name!r} must be at least {spec.min}, got {value}",
                           field=spec.name)
    if spec.max is not None and value > spec.max:
        raise InvalidInput(f"field {spec.name!r} must be at most {spec.max}, got {value}",
                           field=spec.name)
    return value
