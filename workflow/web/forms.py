"""A form sent back after a refusal: which form, what went wrong, what was typed.

Pages that hold several forms (an item, a ballot) render :class:`Failed` beside the form it
names (``form`` is the form's element id) and fill that form with ``values`` again, so a
refused action never loses what someone typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow.errors import AwardError

__all__ = ["Failed"]


@dataclass(frozen=True)
class Failed:
    form: str
    message: str
    error: AwardError
    values: dict[str, str] = field(default_factory=dict)

    def value(self, form: str, name: str) -> str:
        """What was typed in ``name`` if ``form`` is the form that failed, else nothing."""
        return self.values.get(name, "") if form == self.form else ""
