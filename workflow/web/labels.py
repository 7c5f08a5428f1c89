"""The flows' own words in the request's language: state and flow titles for lists (from the
current flow files) and an item's states, fields and document types (from the version the
item is pinned to). A name without a label reads as itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflow.errors import AwardError
from workflow.service import Service
from workflow.web.i18n import pick

__all__ = ["StateLabels", "item_names"]


class StateLabels:
    """State labels of the current flow files, for lists (an item page uses its pinned
    version's own labels)."""

    def __init__(self, service: Service, lang: str) -> None:
        self.service = service
        self.lang = lang
        self._flows: dict[str, dict[str, Any]] = {}

    def __call__(self, flow: str, state: str) -> str:
        if flow not in self._flows:
            try:
                self._flows[flow] = self.service.setup.flow_show(flow)
            except AwardError:
                self._flows[flow] = {"states": {}, "title": {}}
        label = self._flows[flow]["states"].get(state, {}).get("label")
        return pick(label, self.lang, state)

    def flow(self, flow: str) -> str:
        self(flow, "")
        return pick(self._flows[flow].get("title"), self.lang, flow)


def item_names(view: dict[str, Any], lang: str, t: Callable[..., str]) -> dict[str, Any]:
    """Labels of the item's pinned flow version: its states, its fields in the flow's order
    with their values as shown, its document types."""
    spec = view["spec"]
    states = {name: pick(s.get("label"), lang, name) for name, s in spec["states"].items()}
    fields = []
    for name, value in view["fields"].items():
        field_spec = spec["fields"].get(name, {})
        shown = (t("yes") if value else t("no")) if isinstance(value, bool) else str(value)
        fields.append({"name": name, "label": pick(field_spec.get("label"), lang, name),
                       "value": shown, "order": list(spec["fields"]).index(name)
                       if name in spec["fields"] else len(spec["fields"])})
    fields.sort(key=lambda f: f["order"])
    return {"states": states, "state_label": states.get(view["state"], view["state"]),
            "fields": fields,
            "documents": {name: pick(label, lang, name)
                          for name, label in spec["documents"].items()}}
