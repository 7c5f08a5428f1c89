"""A form sent back after a refusal: which form, what went wrong, what was typed.

Pages that hold several forms (an item, a ballot) render :class:`Failed` beside the form it
names (``form`` is the form's element id) and fill that form with ``values`` again, so a
refused action never loses what someone typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from workflow.errors import AwardError

__all__ = ["Failed", "FormFields", "text_of"]


async def _form_data(request: Request) -> FormData:
    return await request.form()


FormFields = Annotated[FormData, Depends(_form_data)]
"""A posted form whose names are not known in advance (a flow's fields): read before a
synchronous route runs, so the route itself stays off the event loop."""


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Failed:
    form: str
    message: str
    error: AwardError
    values: dict[str, str] = field(default_factory=dict)

    def value(self, form: str, name: str) -> str:
        """What was typed in ``name`` if ``form`` is the form that failed, else nothing."""
        return self.values.get(name, "") if form == self.form else ""
