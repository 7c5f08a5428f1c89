"""The flows' own words in the request's language, and the directory's and catalogue's.

:class:`Names` turns a code into what people read: a state, trigger, document type, field or
enum value by the labels of one flow version (the item's pinned version, or a flow's current
file), a unit by its name in the directory, an award by its title in the catalogue, a role
and a confirmation by the interface's words. :class:`ListNames` labels states, flows and
units across flows for lists. A code without a label reads as itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from workflow.errors import AwardError
from workflow.service import Service
from workflow.web.i18n import MESSAGES, pick

__all__ = ["ListNames", "Names", "item_names", "names_for"]

Label = Mapping[str, str]


class Names:
    """Labels for the codes of one flow version (``words``: :func:`flow_words` of the
    service, or None) plus the directory's units and the catalogue's awards."""

    def __init__(self, lang: str, words: Mapping[str, Any] | None = None,
                 units: Mapping[str, str] | None = None,
                 awards: Mapping[str, Label] | None = None,
                 flows: Callable[[str], Label | None] | None = None) -> None:
        self.lang = lang
        self.words: Mapping[str, Any] = words or {}
        self.units = units or {}
        self.awards = awards or {}
        self._flows = flows

    def _word(self, key: str) -> str | None:
        pair = MESSAGES.get(key)
        return None if pair is None else pair[1 if self.lang == "en" else 0]

    def _label(self, part: str, code: str) -> str:
        return pick(self.words.get(part, {}).get(code), self.lang, code)

    def state(self, code: str) -> str:
        return self._label("states", code)

    def trigger(self, code: str) -> str:
        label = self.words.get("triggers", {}).get(code)
        if label:
            return pick(label, self.lang, code)
        # the engine's own moves (``@pass``, ``@resume:STATE`` …) and built-in actions
        return self._word(f"trigger.{code.split(':', 1)[0]}") or code

    def document(self, code: str) -> str:
        return self._label("documents", code)

    def field(self, code: str) -> str:
        return self._label("fields", code)

    def value(self, field: str, code: str) -> str:
        return pick(self.words.get("values", {}).get(field, {}).get(code), self.lang, code)

    def unit(self, code: str) -> str:
        return self.units.get(code, code)

    def award(self, code: str) -> str:
        return pick(self.awards.get(code), self.lang, code)

    def flow(self, code: str) -> str:
        if self.words.get("id") == code:
            return pick(self.words.get("title"), self.lang, code)
        title = self._flows(code) if self._flows else None
        return pick(title, self.lang, code)

    def role(self, code: str) -> str:
        """``officer`` or ``officer@UNIT``: the role's words, and the unit's name."""
        role, _, unit = code.partition("@")
        words = self._word(f"role.{role}") or role
        return f"{words}, {self.unit(unit)}" if unit else words

    def confirmation(self, code: str) -> str:
        known = self._word(f"confirmation.{code}")
        if known:
            return known
        roles = self.words.get("confirmations", {}).get(code)
        return self.role(roles[0]) if roles else code

    def status(self, code: str) -> str:
        return self._word(f"status.{code}") or code

    def thing(self, code: str) -> str:
        return self._word(f"thing.{code}") or code

    def yes_no(self, value: bool) -> str:
        return self._word("yes" if value else "no") or str(value)

    def person(self, login: str, people: Mapping[str, str]) -> str:
        if login in ("system", "public", "admin"):
            return self._word(f"actor.{login}") or login
        return people.get(login, login)


def names_for(service: Service, lang: str, *, flow: str | None = None,
              nomination_id: str | None = None) -> Names:
    """:class:`Names` for an item's pinned flow version, else a flow's current file, else
    no flow (units, awards and the interface's words only). Never fails: a flow or item that
    cannot be read just lends no labels."""
    words: Mapping[str, Any] | None = None
    try:
        if nomination_id is not None:
            words = service.public.item_words(nomination_id)
        elif flow is not None:
            words = service.public.flow_words(flow)
    except AwardError:
        words = None
    try:
        units = service.public.unit_names()
    except AwardError:
        units = {}

    def title(code: str) -> Label | None:
        spec = service.definitions.flows.get(code)
        return dict(spec.title) if spec is not None else None

    return Names(lang, words, units, service.public.award_titles(), title)


class ListNames:
    """Labels for lists of items of many flows: states and flow titles from the current flow
    files (an item page uses its pinned version's own), units from the directory."""

    def __init__(self, service: Service, lang: str) -> None:
        self.service = service
        self.lang = lang
        self._flows: dict[str, Mapping[str, Any]] = {}
        self._units: Mapping[str, str] | None = None

    def words(self, flow: str) -> Mapping[str, Any]:
        if flow not in self._flows:
            try:
                self._flows[flow] = self.service.public.flow_words(flow)
            except AwardError:
                self._flows[flow] = {}
        return self._flows[flow]

    def __call__(self, flow: str, state: str) -> str:
        return pick(self.words(flow).get("states", {}).get(state), self.lang, state)

    def states(self, flow: str) -> list[str]:
        """The flow's states, in its file's order."""
        return list(self.words(flow).get("order", ()))

    def flow(self, flow: str) -> str:
        return pick(self.words(flow).get("title"), self.lang, flow)

    def unit(self, unit: str) -> str:
        if self._units is None:
            try:
                self._units = self.service.public.unit_names()
            except AwardError:
                self._units = {}
        return self._units.get(unit, unit)

    def award(self, code: str) -> str:
        award = self.service.definitions.catalogue.get(code)
        return pick(dict(award.title) if award else None, self.lang, code)

    def confirmation(self, flow: str, key: str) -> str:
        return Names(self.lang, self.words(flow), self._units).confirmation(key)


def item_names(view: dict[str, Any], names: Names, t: Callable[..., str]) -> dict[str, Any]:
    """Labels of the item's pinned flow version: its states, its fields in the flow's order
    with their values as shown, its document types."""
    spec = view["spec"]
    lang = names.lang
    states = {name: pick(s.get("label"), lang, name) for name, s in spec["states"].items()}
    fields = []
    for name, value in view["fields"].items():
        field_spec = spec["fields"].get(name, {})
        if isinstance(value, bool):
            shown = t("yes") if value else t("no")
        elif field_spec.get("type") == "enum":
            shown = names.value(name, str(value))
        else:
            shown = str(value)
        fields.append({"name": name, "label": pick(field_spec.get("label"), lang, name),
                       "value": shown, "order": list(spec["fields"]).index(name)
                       if name in spec["fields"] else len(spec["fields"])})
    fields.sort(key=lambda f: f["order"])
    return {"states": states, "state_label": states.get(view["state"], view["state"]),
            "fields": fields,
            "documents": {name: pick(label, lang, name)
                          for name, label in spec["documents"].items()}}
