"""Numbers in query strings, forms and JSON bodies, written as ids are (see
:mod:`workflow.ids`).

Pydantic alone reads ``+1``, `` 1``, ``1_0`` and ``1.0`` as 1 and lets any size through to
the store, which cannot bind it (an ``OverflowError`` on SQLite, "integer out of range" on
PostgreSQL); these types take plain decimal digits up to :data:`~workflow.ids.MAX_ID` and
answer anything else with 422. An id in a *path* is a ``str``
that the service parses instead (404, like any id that names nothing).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query
from pydantic import BeforeValidator, Field

from workflow.ids import MAX_ID, decimal

__all__ = ["BodyVersion", "Cursor", "FormVersion", "Number"]


def _written_as_an_id(value: object) -> object:
    if isinstance(value, str) and decimal(value) is None:
        raise ValueError(f"write a whole number in digits 0-9, at most {MAX_ID}")
    return value


_Decimal = BeforeValidator(_written_as_an_id)

Number = Annotated[int, Query(ge=1, le=MAX_ID), _Decimal]
"""A whole number in a query string: a count (``limit=``, clamped by the route) or an id."""

Cursor = Annotated[int | None, Query(ge=1, le=MAX_ID, description="page on: only what is "
                                     "older than this id"), _Decimal]
"""``before=``: the last id of the page seen, or nothing for the newest page."""

# an expected version is compared, not looked up: one the item is not at (0 too) is a conflict
FormVersion = Annotated[int | None, Form(ge=0, le=MAX_ID), _Decimal]
"""``expect_version`` in a posted form."""

BodyVersion = Annotated[int | None, Field(ge=0, le=MAX_ID), _Decimal]
"""``expect_version`` in a JSON body."""
