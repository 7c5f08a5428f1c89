"""Everything under ``definitions/``, loaded together: catalogue, calendars, flows, campaigns.

Flows come from the shipped ``definitions/flows`` plus any extra folders (``AWARD_FLOWS``). A
flow file with problems does not stop the others from loading: it is kept in ``broken`` so
``award flows list`` can show it and ``award nominate`` on it reports its problems. The
catalogue and calendars, which every flow depends on, must load cleanly. Campaigns
(``definitions/campaigns`` plus ``AWARD_CAMPAIGNS`` folders) are read the same way: a broken
one is kept in ``broken_campaigns`` and reported where it is asked for.

Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from workflow.calendar import WorkingCalendar, load_calendar
from workflow.campaign import CampaignEnv, CampaignSpec, load_campaign
from workflow.catalogue import Catalogue, load_catalogue
from workflow.errors import DefinitionError, NotFound, Problem
from workflow.flow import FlowEnv, FlowSpec, GuardRegistry, default_guards, load_flow, parse_flow
from workflow.office import Office, load_office
from workflow.yamlnodes import suggest

__all__ = ["Definitions", "load_definitions"]


@dataclass
class Definitions:
    home: Path
    catalogue: Catalogue
    calendars: dict[str, WorkingCalendar]
    flows: dict[str, FlowSpec]
    broken: dict[str, DefinitionError]  # file path -> its problems
    env: FlowEnv
    flow_dirs: list[Path] = field(default_factory=list)
    office: Office = field(default_factory=Office)
    campaigns: dict[str, CampaignSpec] = field(default_factory=dict)
    broken_campaigns: dict[str, DefinitionError] = field(default_factory=dict)

    def campaign(self, campaign_id: str) -> CampaignSpec:
        if campaign_id in self.campaigns:
            return self.campaigns[campaign_id]
        for path, error in self.broken_campaigns.items():
            if Path(path).stem == campaign_id:
                raise error
        known = sorted(self.campaigns)
        raise NotFound(f"no campaign {campaign_id!r}{suggest(campaign_id, known)}; campaigns: "
                       f"{', '.join(known) or 'none'}", msgid="campaign.unknown",
                       campaign=campaign_id)

    def flow(self, flow_id: str) -> FlowSpec:
        if flow_id in self.flows:
            return self.flows[flow_id]
        for path, error in self.broken.items():
            if Path(path).stem == flow_id:
                raise error
        known = sorted(self.flows)
        raise NotFound(f"no flow {flow_id!r}{suggest(flow_id, known)}; flows: {', '.join(known)}",
                       msgid="flow.unknown", flow=flow_id)

    def calendar(self, calendar_id: str) -> WorkingCalendar:
        return self.calendars[calendar_id]

    def parse_stored(self, text: str, path: str) -> FlowSpec:
        """Re-read the stored text of a version (items in flight keep their definition)."""
        return parse_flow(text, path, self.env)


def flow_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in dirs:
        if folder.exists() and not folder.is_dir():
            files.append(folder)  # a file named on its own (a device is refused on reading)
            continue
        files.extend(sorted(p for p in folder.glob("*.yaml") if p.is_file()))
        files.extend(sorted(p for p in folder.glob("*.yml") if p.is_file()))
    return files


def load_definitions(
    home: Path,
    extra_flow_dirs: Sequence[Path] = (),
    template_exists: Callable[[str], bool] | None = None,
    guards: GuardRegistry | None = None,
    extra_campaign_dirs: Sequence[Path] = (),
) -> Definitions:
    """Load ``home`` (a ``definitions/`` folder) and extra flow and campaign folders."""
    catalogue = load_catalogue(home / "catalogue.yaml")
    calendars: dict[str, WorkingCalendar] = {}
    problems: list[Problem] = []
    try:
        office = load_office(home)
    except DefinitionError as exc:
        problems.extend(exc.problems)
    for path in sorted((home / "calendars").glob("*.yaml")):
        try:
            calendars[path.stem] = load_calendar(path)
        except DefinitionError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DefinitionError(problems)
    env = FlowEnv(
        awards=catalogue.codes(),
        award_fields=catalogue.fields_used(),
        calendars=list(calendars),
        template_exists=template_exists or (lambda name: True),
        guards=guards or default_guards(),
    )
    dirs = [home / "flows", *extra_flow_dirs]
    flows, broken = _load_each(dirs, "flow", "AWARD_FLOWS", lambda path: load_flow(path, env))
    campaigns, broken_campaigns = load_campaigns(
        [home / "campaigns", *extra_campaign_dirs],
        CampaignEnv(awards=catalogue.codes(), calendars=list(calendars)))
    return Definitions(home, catalogue, calendars, flows, broken, env, dirs, office, campaigns,
                       broken_campaigns)


def load_campaigns(dirs: Sequence[Path], env: CampaignEnv
                   ) -> tuple[dict[str, CampaignSpec], dict[str, DefinitionError]]:
    """Every campaign file of ``dirs``: the good ones by id, the broken ones by path."""
    return _load_each(dirs, "campaign", "AWARD_CAMPAIGNS", lambda path: load_campaign(path, env))


_Spec = TypeVar("_Spec", FlowSpec, CampaignSpec)


def _load_each(dirs: Sequence[Path], what: str, variable: str, load: Callable[[Path], _Spec]
               ) -> tuple[dict[str, _Spec], dict[str, DefinitionError]]:
    """Every ``*.yaml`` of ``dirs`` through ``load``: the good ones by id, the broken ones (and
    a second file with an id already taken) by path. The folders after the first come from
    ``variable``; one that does not exist is an error, so a typo never passes for "none"."""
    for extra in dirs[1:]:
        if not Path(extra).is_dir():
            raise DefinitionError([Problem(str(extra), 1, 1, f"{what} folder does not exist "
                                           f"(check {variable})")])
    good: dict[str, _Spec] = {}
    broken: dict[str, DefinitionError] = {}
    for path in flow_files(dirs):
        try:
            spec = load(path)
        except DefinitionError as exc:
            broken[str(path)] = exc
            continue
        if spec.id in good:
            broken[str(path)] = DefinitionError([Problem(
                str(path), 1, 1, f"{what} id {spec.id!r} is already defined in "
                f"{good[spec.id].path}")])
            continue
        good[spec.id] = spec
    return good, broken
