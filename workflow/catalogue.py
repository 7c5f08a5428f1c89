"""The award catalogue and its eligibility rules, as data.

``definitions/catalogue.yaml`` lists award codes (title, form, level, nominee kinds, deciding
level) and, per award, a rule over the nominee's history (awards the engine granted plus
imported prior awards) and the nomination's fields. Rules are a small closed language —
``all`` / ``any`` / ``not`` / ``held`` / ``streak`` / ``count`` / ``field`` / ``nominee`` /
``cluster_leader`` — read strictly and evaluated here; ``grassroots_levels`` names the unit
levels that count as grassroots (cơ sở) in reports; ``objection_kinds`` gives each kind of
objection (góp ý, khiếu nại, tố cáo, kiến nghị) its label, handling period and the one extension
the law allows, in working days; legal numbers live in the file, never in code. Ad-hoc (đột
xuất) and thematic (chuyên đề) awards do not count toward any history rule unless a rule says
``include_ad_hoc: true`` (Decree 152 Art 4(3)): a grant of an ad-hoc flow carries the ad-hoc
flag, and an award the catalogue marks ``thematic: true`` is treated as carrying it wherever it
comes from (:meth:`Catalogue.counted`).

Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.errors import Reason
from workflow.flow import FIELD_OPS, LEVELS, NOMINEE_KINDS
from workflow.yamlnodes import Mapping as MapNode
from workflow.yamlnodes import Node, Problems, Scalar, Sequence, echo, parse_yaml, read_definition

__all__ = [
    "OBJECTION_KINDS",
    "Award",
    "Catalogue",
    "HistoryEntry",
    "ObjectionKind",
    "Rule",
    "load_catalogue",
    "parse_catalogue",
]

CODE_RE = re.compile(r"[A-Z][A-Z0-9_]*")
FORMS = ("title", "commendation", "honour", "order", "medal", "flag")
AWARD_KEYS = ["title", "form", "level", "nominees", "decided_by", "basis", "counts_in_history",
              "thematic", "rule", "note"]
RULE_KINDS = ["all", "any", "not", "held", "streak", "count", "field", "nominee",
              "cluster_leader"]
YEAR_REFS = ("same", "previous", "any")
#: what the law calls an objection (the first is the default: a comment during a notice)
OBJECTION_KINDS = ("gop_y", "khieu_nai", "to_cao", "kien_nghi")
OBJECTION_KEYS = ["label", "days", "extension", "basis"]
MAX_PERIOD = 365  # working days: more than a year is a typo, not a legal period


@dataclass(frozen=True)
class HistoryEntry:
    award: str
    year: int
    ad_hoc: bool = False
    source: str = "imported"  # imported | granted


@dataclass(frozen=True)
class Facts:
    """What a rule may read: the nominee's history, the nomination's fields and its year; the
    nominee's kind (individual, collective …) and, asked only when a rule needs it, whether
    the nominee unit leads its emulation cluster's closed ranking for the year."""

    history: tuple[HistoryEntry, ...]
    fields: Mapping[str, Any]
    year: int
    kind: str = "individual"
    leads_cluster: Callable[[], bool] | None = None

    def years_with(self, code: str, include_ad_hoc: bool) -> set[int]:
        return {h.year for h in self.history
                if h.award == code and (include_ad_hoc or not h.ad_hoc)}


@dataclass(frozen=True)
class Rule:
    """One node of a rule tree; ``check`` returns ``None`` when met, else why not."""

    kind: str
    args: Mapping[str, Any] = field(default_factory=dict)
    children: tuple[Rule, ...] = ()

    def fields_used(self) -> set[str]:
        used = {self.args["name"]} if self.kind == "field" else set()
        for child in self.children:
            used |= child.fields_used()
        return used

    def describe(self) -> str:
        return self.said().text

    def said(self) -> Reason:
        """What the rule asks for, for people (``text`` is the English of ``describe``)."""
        a = self.args
        if self.kind in ("all", "any"):
            parts = [c.said() for c in self.children]
            joined = (" and " if self.kind == "all" else " or ").join(p.text for p in parts)
            text = joined if self.kind == "all" else f"({joined})"
            return Reason(f"rule.{self.kind}", text, {"rules": parts})
        if self.kind == "not":
            inner = self.children[0].said()
            return Reason("rule.not", f"not ({inner.text})", {"rule": inner})
        if self.kind == "held":
            where = {"same": "in the nomination's year", "previous": "in the year before",
                     "any": "in any year"}[a["year"]]
            return Reason(f"rule.held.{a['year']}", f"{a['award']} held {where}",
                          {"award": a["award"]})
        if self.kind == "streak":
            ending = "the year before" if a["ending"] == "previous" else "that year"
            return Reason(f"rule.streak.{a['ending']}",
                          f"{a['award']} in {a['years']} consecutive years ending {ending}",
                          {"award": a["award"], "years": a["years"]})
        if self.kind == "count":
            since = f" since {a['since']}" if a.get("since") else ""
            within = f" within {a['within']} years" if a.get("within") else ""
            return Reason("rule.count", f"{a['award']} at least {a['at_least']} times{within}"
                          f"{since}", {
                              "award": a["award"], "at_least": a["at_least"],
                              "within": Reason("rule.within", within, {"years": a["within"]})
                              if a.get("within") else "",
                              "since": Reason("rule.since", since, {"award": a["since"]})
                              if a.get("since") else ""})
        if self.kind == "nominee":
            kinds = " or ".join(a["kinds"])
            return Reason("rule.nominee", f"the nominee is {kinds}", {"kinds": kinds})
        if self.kind == "cluster_leader":
            return Reason("rule.cluster_leader", "the nominee leads its emulation cluster's "
                          "ranking in the year", {})
        op, value = a["op"], a["value"]
        if op in ("present", "absent"):
            return Reason(f"rule.field.{op}", f"field {a['name']} {op}", {"field": a["name"]})
        return Reason(f"rule.field.{op}", f"field {a['name']} {op} {echo(value)}",
                      {"field": a["name"], "value": list(value) if isinstance(value, tuple)
                       else value})

    def check(self, facts: Facts) -> Reason | None:
        a = self.args
        if self.kind == "all":
            for child in self.children:
                reason = child.check(facts)
                if reason:
                    return reason
            return None
        if self.kind == "any":
            reasons = [child.check(facts) for child in self.children]
            if all(reasons):
                failed = [r for r in reasons if r]
                return Reason("rule.none_of", "none of: " + "; ".join(r.text for r in failed),
                              {"reasons": failed})
            return None
        if self.kind == "not":
            inner = self.children[0]
            if inner.check(facts):
                return None
            said = inner.said()
            return Reason("rule.must_not", f"must not have {said.text}", {"rule": said})
        said = self.said()
        if self.kind == "held":
            years = facts.years_with(a["award"], a["include_ad_hoc"])
            wanted = {"same": {facts.year}, "previous": {facts.year - 1}, "any": years}[a["year"]]
            if years & wanted:
                return None
            return Reason("rule.needs", f"needs {said.text}", {"rule": said})
        if self.kind == "streak":
            years = facts.years_with(a["award"], a["include_ad_hoc"])
            last = facts.year - (1 if a["ending"] == "previous" else 0)
            run = 0
            while last - run in years:
                run += 1
            if run >= a["years"]:
                return None
            return Reason("rule.needs_has", f"needs {said.text} (has {run})",
                          {"rule": said, "has": run})
        if self.kind == "count":
            years = facts.years_with(a["award"], a["include_ad_hoc"])
            if a.get("since"):
                base = facts.years_with(a["since"], a["include_ad_hoc"])
                if not base:
                    return Reason("rule.needs_first", f"needs {a['since']} first (for "
                                  f"{said.text})", {"award": a["since"], "rule": said})
                years = {y for y in years if y > min(base)}
            if a.get("within"):
                years = {y for y in years if facts.year - a["within"] < y <= facts.year}
            if len(years) >= a["at_least"]:
                return None
            return Reason("rule.needs_has", f"needs {said.text} (has {len(years)})",
                          {"rule": said, "has": len(years)})
        if self.kind == "nominee":
            if facts.kind in a["kinds"]:
                return None
            return Reason("rule.needs_is", f"needs {said.text} (is {facts.kind})",
                          {"rule": said, "field": "nominee", "value": facts.kind})
        if self.kind == "cluster_leader":
            if facts.leads_cluster is not None and facts.leads_cluster():
                return None
            return Reason("rule.needs", f"needs {said.text}", {"rule": said})
        actual = facts.fields.get(a["name"])
        try:
            ok = FIELD_OPS[a["op"]](actual, a["value"])
        except TypeError:
            ok = False
        if ok:
            return None
        return Reason("rule.needs_is", f"needs {said.text} (is {echo(actual)})",
                      {"rule": said, "field": a["name"], "value": actual})


@dataclass(frozen=True)
class Award:
    code: str
    title: Mapping[str, str]
    form: str
    level: str
    nominees: tuple[str, ...]
    decided_by: str = ""
    basis: str = ""
    counts_in_history: bool = True
    #: a thematic (chuyên đề) award: like an ad-hoc one, never a basis for merit rules
    thematic: bool = False
    rule: Rule | None = None

    def check(self, facts: Facts) -> Reason | None:
        """``None`` when eligible, else the first rule that failed (for a refused guard)."""
        if self.rule is None:
            return None
        return self.rule.check(facts)


@dataclass(frozen=True)
class ObjectionKind:
    """A kind of objection: its label, handling period and the one extension allowed (working
    days; 0 when the law allows none)."""

    code: str
    label: Mapping[str, str]
    days: int
    extension: int = 0
    basis: str = ""


@dataclass(frozen=True)
class Catalogue:
    awards: Mapping[str, Award]
    path: str = ""
    #: unit levels that are grassroots (cơ sở) for the priority shares of reports
    grassroots: tuple[str, ...] = ()
    #: handling periods by objection kind (a kind left out has no deadline)
    objection_kinds: Mapping[str, ObjectionKind] = field(default_factory=dict)

    def objection_kind(self, code: str) -> ObjectionKind | None:
        return self.objection_kinds.get(code)

    def get(self, code: str) -> Award | None:
        return self.awards.get(code)

    def codes(self) -> list[str]:
        return sorted(self.awards)

    def fields_used(self) -> dict[str, set[str]]:
        return {code: (a.rule.fields_used() if a.rule else set())
                for code, a in self.awards.items()}

    def counted(self, history: Iterable[HistoryEntry]) -> tuple[HistoryEntry, ...]:
        """``history`` as rules read it: entries of thematic awards carry the ad-hoc flag
        (Decree 152 Art 4(3): neither is a basis for merit awards), imported ones too."""
        thematic = {code for code, a in self.awards.items() if a.thematic}
        return tuple(HistoryEntry(h.award, h.year, True, h.source)
                     if h.award in thematic and not h.ad_hoc else h for h in history)

    def not_counting(self, code: str, ad_hoc: bool) -> bool:
        """Whether a grant of ``code`` (through an ad-hoc flow or not) is stored with the
        ad-hoc flag, so that no merit rule counts it."""
        award = self.awards.get(code)
        return ad_hoc or (award is not None and award.thematic)


def load_catalogue(path: Path) -> Catalogue:
    return parse_catalogue(read_definition(path), str(path))


def parse_catalogue(text: str, file: str) -> Catalogue:
    root = parse_yaml(text, file)
    p = Problems()
    top = p.mapping(root, "the catalogue") if root is not None else None
    if top is None:
        if root is None:
            p.add_at(file, 1, 1, "empty catalogue")
        p.raise_if_any()
        raise AssertionError
    p.keys(top, "the catalogue", ["awards", "grassroots_levels", "objection_kinds"],
           required=["awards"])
    grassroots = tuple(dict.fromkeys(
        level for level in (p.choice(node, "grassroots level", LEVELS) for node in
                            p.sequence(top.get("grassroots_levels"), "grassroots_levels"))
        if level))
    awards: dict[str, Award] = {}
    block = p.mapping(top.get("awards"), "awards")
    codes = list(block.values) if block else []
    for key, value in block.items() if block else ():
        code = p.string(key, "award code", pattern=CODE_RE,
                        hint="use upper-case letters, digits and '_', e.g. CSTDCS")
        award = _award(code, value, codes, p) if code else None
        if award is not None:
            awards[award.code] = award
    kinds = _objection_kinds(top.get("objection_kinds"), p) if "objection_kinds" in top else {}
    p.raise_if_any()
    return Catalogue(awards=awards, path=file, grassroots=grassroots, objection_kinds=kinds)


def _objection_kinds(node: Node | None, p: Problems) -> dict[str, ObjectionKind]:
    block = p.mapping(node, "objection_kinds")
    out: dict[str, ObjectionKind] = {}
    for key, value in block.items() if block else ():
        code = p.choice(key, "objection kind", OBJECTION_KINDS)
        what = f"objection kind {code}"
        body = p.mapping(value, what) if code else None
        if code is None or body is None:
            continue
        p.keys(body, what, OBJECTION_KEYS, required=["label", "days"])
        days = p.integer(body.get("days"), f"{what} days", minimum=1, maximum=MAX_PERIOD)
        extension = p.integer(body.get("extension"), f"{what} extension", minimum=0,
                              maximum=MAX_PERIOD)
        if days is None:
            continue
        out[code] = ObjectionKind(code=code, label=p.text(body.get("label"), f"{what} label"),
                                  days=days, extension=extension or 0,
                                  basis=p.string(body.get("basis"), f"{what} basis") or "")
    return out


def _award(code: str, node: Node, codes: list[str], p: Problems) -> Award | None:
    what = f"award {code}"
    body = p.mapping(node, what)
    if body is None:
        return None
    p.keys(body, what, AWARD_KEYS, required=["title", "form", "level", "nominees"])
    kinds = [k for k in (p.choice(i, f"{what} nominee kind", NOMINEE_KINDS)
                         for i in p.sequence(body.get("nominees"), f"{what} nominees",
                                             single_ok=True)) if k]
    rule = _rule(body.get("rule"), what, codes, p) if "rule" in body else None
    form = p.choice(body.get("form"), f"{what} form", FORMS)
    level = p.choice(body.get("level"), f"{what} level", LEVELS)
    if form is None or level is None:
        return None
    return Award(
        code=code,
        title=p.text(body.get("title"), f"{what} title"),
        form=form,
        level=level,
        nominees=tuple(kinds),
        decided_by=p.string(body.get("decided_by"), f"{what} decided_by") or "",
        basis=p.string(body.get("basis"), f"{what} basis") or "",
        counts_in_history=(
            True if "counts_in_history" not in body
            else bool(p.boolean(body.get("counts_in_history"), f"{what} counts_in_history"))
        ),
        thematic=bool(p.boolean(body.get("thematic"), f"{what} thematic"))
        if "thematic" in body else False,
        rule=rule,
    )


def _rule(node: Node | None, what: str, codes: list[str], p: Problems) -> Rule | None:
    body = p.mapping(node, f"{what} rule")
    if body is None:
        return None
    kinds = [k for k in body.values if k in RULE_KINDS]
    if len(kinds) != 1:
        p.add(body, f"{what} rule needs exactly one of: {', '.join(RULE_KINDS)}")
        return None
    kind = kinds[0]
    if kind in ("all", "any"):
        p.keys(body, f"{what} rule '{kind}'", [kind])
        children = [_rule(item, what, codes, p) for item in p.sequence(body.get(kind), kind)]
        if not children:
            p.add(body, f"{what} rule '{kind}' needs a non-empty list of rules")
        if any(c is None for c in children):
            return None
        return Rule(kind, {}, tuple(c for c in children if c is not None))
    if kind == "not":
        p.keys(body, f"{what} rule 'not'", ["not"])
        child = _rule(body.get("not"), what, codes, p)
        return Rule("not", {}, (child,)) if child else None
    if kind == "field":
        return _field_rule(body, what, p)
    if kind == "nominee":
        p.keys(body, f"{what} rule 'nominee'", ["nominee"])
        kinds = [k for k in (p.choice(i, f"{what} rule nominee kind", NOMINEE_KINDS)
                             for i in p.sequence(body.get("nominee"), f"{what} rule nominee",
                                                 single_ok=True)) if k]
        return Rule("nominee", {"kinds": tuple(kinds)}) if kinds else None
    if kind == "cluster_leader":
        p.keys(body, f"{what} rule 'cluster_leader'", ["cluster_leader"])
        node = body.get("cluster_leader")
        if not (isinstance(node, Scalar) and node.value is True):
            p.add(node or body, f"{what} rule 'cluster_leader' takes 'true'")
            return None
        return Rule("cluster_leader", {})
    return _history_rule(kind, body, what, codes, p)


def _code(node: Node | None, what: str, codes: list[str], p: Problems) -> str | None:
    if node is None:
        return None
    return p.choice(node, what, codes)


def _history_rule(
    kind: str, body: MapNode, what: str, codes: list[str], p: Problems
) -> Rule | None:
    allowed = {
        "held": [kind, "year", "include_ad_hoc"],
        "streak": [kind, "include_ad_hoc"],
        "count": [kind, "include_ad_hoc"],
    }[kind]
    p.keys(body, f"{what} rule '{kind}'", allowed)
    include_ad_hoc = bool(p.boolean(body.get("include_ad_hoc"), "include_ad_hoc"))
    if kind == "held":
        award = _code(body.get("held"), f"{what} held", codes, p)
        year = p.choice(body.get("year"), f"{what} held year", YEAR_REFS) or "any"
        return Rule("held", {"award": award, "year": year, "include_ad_hoc": include_ad_hoc}) \
            if award else None
    inner = p.mapping(body.get(kind), f"{what} {kind}")
    if inner is None:
        return None
    if kind == "streak":
        p.keys(inner, f"{what} streak", ["award", "years", "ending"], required=["award", "years"])
        award = _code(inner.get("award"), f"{what} streak award", codes, p)
        years = p.integer(inner.get("years"), f"{what} streak years", minimum=1)
        ending = p.choice(inner.get("ending"), f"{what} streak ending",
                          ["same", "previous"]) or "previous"
        if award is None or years is None:
            return None
        return Rule("streak", {"award": award, "years": years, "ending": ending,
                               "include_ad_hoc": include_ad_hoc})
    p.keys(inner, f"{what} count", ["award", "at_least", "within", "since"],
           required=["award", "at_least"])
    award = _code(inner.get("award"), f"{what} count award", codes, p)
    at_least = p.integer(inner.get("at_least"), f"{what} count at_least", minimum=1)
    within = p.integer(inner.get("within"), f"{what} count within", minimum=1)
    since = _code(inner.get("since"), f"{what} count since", codes, p)
    if award is None or at_least is None:
        return None
    return Rule("count", {"award": award, "at_least": at_least, "within": within,
                          "since": since, "include_ad_hoc": include_ad_hoc})


def _field_rule(body: MapNode, what: str, p: Problems) -> Rule | None:
    ops = [op for op in body.values if op in FIELD_OPS]
    p.keys(body, f"{what} rule 'field'", ["field", *FIELD_OPS])
    name = p.string(body.get("field"), f"{what} field name")
    if len(ops) != 1:
        p.add(body, f"{what} field rule needs exactly one of: {', '.join(FIELD_OPS)}")
        return None
    op = ops[0]
    value_node = body.get(op)
    value: Any = value_node.plain() if value_node is not None else None
    if op in ("in", "not_in"):
        if not isinstance(value_node, Sequence):
            p.add(value_node or body, f"{what} field rule '{op}' needs a list")
            return None
        value = tuple(value)
    elif op in ("present", "absent") and not (
        isinstance(value_node, Scalar) and value_node.value is True
    ):
        p.add(value_node or body, f"{what} field rule '{op}' takes 'true'")
        return None
    if name is None:
        return None
    return Rule("field", {"name": name, "op": op, "value": value})


def history_from(entries: Iterable[tuple[str, int, bool, str]]) -> tuple[HistoryEntry, ...]:
    return tuple(HistoryEntry(award=a, year=y, ad_hoc=h, source=s) for a, y, h, s in entries)
