"""For the people who move items: officers, the secretariat, council members, deciders.

Each method is one use case in one unit of work (retried from the start on a transient lock
failure) and returns plain data.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from workflow.errors import InvalidInput, NotAllowed, NotFound
from workflow.service import access
from workflow.service.base import Actor, Deps, load, paged
from workflow.service.commands import ballots, confirmations, items, objections
from workflow.service.facades.staff import fold
from workflow.service.lifecycle import Entry
from workflow.service.lifecycle.render import render_item
from workflow.service.lifecycle.vote import MINUTES, latest_closed, minutes_extra, remind
from workflow.service.present import item_summary
from workflow.service.queries import (
    EXPORT_COLUMNS,
    available,
    export_rows,
    item_detail,
    objection_facts,
    objector,
    queue,
)
from workflow.store import Tx
from workflow.yamlnodes import suggest

__all__ = ["Items"]

Documents = list[dict[str, Any]]

_GUIDE = (
    "Mỗi dòng là một người (hoặc tập thể) được đề nghị; dòng 1 là mã cột, dòng 2 là tên cột "
    "— giữ nguyên hai dòng này, ghi từ dòng 3.",
    "Each row is one nominee; row 1 holds the column keys and row 2 their labels — keep "
    "both and write from row 3.",
    "Ngày ghi dd/mm/yyyy hoặc yyyy-mm-dd; cột có danh sách chọn chỉ nhận giá trị trong danh "
    "sách; cột đánh dấu * là bắt buộc.",
    "Gửi bằng lệnh: award import TỆP --flow QUY_TRÌNH --unit ĐƠN_VỊ (hoặc tải lên trên trang "
    "Tạo hồ sơ đề nghị). Cả danh sách được nhận hoặc không dòng nào được nhận; mọi lỗi được "
    "báo cùng lúc theo dòng và cột.",
)


class Items:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    # ---- commands ------------------------------------------------------------------------

    def nominate(self, actor: Actor, flow: str, unit: str, nominee: str,
                 person: str | None = None, values: dict[str, Any] | None = None, *,
                 confidential: bool = False, nominee_unit: str | None = None
                 ) -> dict[str, Any]:
        return self._deps.run(lambda tx: items.nominate(
            self._deps, tx, actor, flow, unit, nominee, person, values or {},
            confidential=confidential, nominee_unit=nominee_unit))

    def update(self, actor: Actor, nomination_id: str, values: dict[str, Any],
               expect_version: int | None = None) -> dict[str, Any]:
        return self._deps.run(lambda tx: items.update_fields(
            self._deps, tx, actor, nomination_id, values, expect_version))

    def attach(self, actor: Actor, nomination_id: str, doctype: str, path: Path
               ) -> dict[str, Any]:
        return self._deps.run(lambda tx: items.attach(
            self._deps, tx, actor, nomination_id, doctype, path))

    def detach(self, actor: Actor, nomination_id: str, doctype: str) -> dict[str, Any]:
        """Withdraw a document while the dossier is open (the version is kept)."""
        return self._deps.run(lambda tx: items.detach(self._deps, tx, actor, nomination_id,
                                                      doctype))

    def fire(self, actor: Actor, nomination_id: str, trigger: str, comment: str | None = None,
             expect_version: int | None = None) -> dict[str, Any]:
        pin: dict[str, int] = {}
        return self._deps.run(lambda tx: items.fire(
            self._deps, tx, actor, nomination_id, trigger, comment, expect_version, pin))

    def vote(self, actor: Actor, nomination_id: str, choice: str,
             written_for: str | None = None) -> dict[str, Any]:
        """Cast a ballot (or, as secretariat, record an absent member's written ballot)."""
        return self._deps.run(lambda tx: ballots.cast(
            self._deps, tx, actor, nomination_id, choice, written_for))

    def recuse(self, actor: Actor, nomination_id: str, reason: str | None = None
               ) -> dict[str, Any]:
        """A council member declares a conflict of interest in the open round."""
        return self._deps.run(lambda tx: ballots.recuse(
            self._deps, tx, actor, nomination_id, reason))

    def remind_voters(self, actor: Actor, nomination_id: str) -> dict[str, Any]:
        """The secretariat reminds the members who have not voted yet (by the outbox)."""
        def work(tx: Tx) -> dict[str, Any]:
            item, machine = load(self._deps, tx, nomination_id)
            sent = remind(Entry(self._deps, tx, item, machine.spec), actor)
            return {"id": str(item.id), "reminded": sent}

        return self._deps.run(work)

    def confirm(self, actor: Actor, nomination_id: str, key: str, decision: str,
                comment: str | None = None) -> dict[str, Any]:
        return self._deps.run(lambda tx: confirmations.confirm(
            self._deps, tx, actor, nomination_id, key, decision, comment))

    def file_objection(self, actor: Actor | None, nomination_id: str, text: str,
               name: str | None = None, contact: str | None = None,
               kind: str = "gop_y") -> dict[str, Any]:
        """File an objection of a ``kind`` (góp ý by default): anyone during a notice window,
        staff at any time; its handling deadline comes from the catalogue."""
        return self._deps.run(lambda tx: objections.file_objection(
            self._deps, tx, actor, nomination_id, text, name, contact, kind))

    def extend(self, actor: Actor, objection_id: str, reason: str) -> dict[str, Any]:
        """The one extension of an objection's deadline the law allows (examining
        secretariat)."""
        return self._deps.run(lambda tx: objections.extend(
            self._deps, tx, actor, objection_id, reason))

    def objections(self, actor: Actor, *, open_only: bool = False, overdue: bool = False,
                   kind: str | None = None, unit: str | None = None,
                   limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Objections on items ``actor`` sees (a role at the item's unit or above), in id
        order; the objector's name and contact only for the examining secretariat."""
        deps = self._deps
        if kind is not None:
            objections.check_kind(kind)
        now = deps.now()
        units = self._units(None, unit, actor)

        def fetch(tx: Tx, after: int, size: int) -> list[dict[str, Any]]:
            out = []
            for row, unit_id in tx.objections.page(
                    units=units, open_only=open_only, overdue_at=now if overdue else None,
                    kind=kind, after_id=after, limit=size):
                item = tx.items.get(row.nomination_id)
                assert item is not None
                flow = deps.compiled(tx, item.flow_version).spec
                view = {"id": str(row.id), "nomination": str(item.id),
                        "nominee": item.nominee, "unit": unit_id, "state": item.state,
                        "status": row.status, "filed_at": deps.iso(row.filed_at),
                        "by": row.filed_by or "public",
                        "grant": None if row.grant_id is None else str(row.grant_id),
                        **objection_facts(deps, row, now)}
                if access.may_resolve(deps, tx, actor, item, flow, row.notice_id)[0]:
                    view.update(objector(row))
                out.append(view)
            return out

        yield from paged(deps, fetch, lambda view: int(view["id"]), limit)

    def overdue_objections(self) -> Iterator[dict[str, Any]]:
        """Open objections past their handling deadline, every unit (for the digest; no
        personal data)."""
        deps = self._deps
        now = deps.now()
        for row, unit_id in paged(deps, lambda tx, after, size: tx.objections.page(
                units=None, overdue_at=now, after_id=after, limit=size),
                lambda pair: pair[0].id):
            yield {"id": str(row.id), "nomination": str(row.nomination_id), "unit": unit_id,
                   "filed_at": deps.iso(row.filed_at), **objection_facts(deps, row, now)}

    def resolve(self, actor: Actor, objection_id: str, outcome: str, comment: str,
                revoke_reason: str | None = None, revoke_decision: str | None = None
                ) -> dict[str, Any]:
        """Resolve an objection; upholding a complaint against a granted award revokes it
        (``revoke_reason`` required then)."""
        return self._deps.run(lambda tx: objections.resolve(
            self._deps, tx, actor, objection_id, outcome, comment, revoke_reason,
            revoke_decision))

    # ---- reads ---------------------------------------------------------------------------

    def show(self, nomination_id: str) -> dict[str, Any]:
        def work(tx: Tx) -> dict[str, Any]:
            item, machine = load(self._deps, tx, nomination_id)
            return item_detail(self._deps, tx, item, machine.spec)

        return self._deps.run(work)

    def find(self, *, state: str | None = None, flow: str | None = None,
             unit: str | None = None, overdue: bool = False, limit: int | None = None,
             by_objections: bool = True) -> Iterator[dict[str, Any]]:
        """Stream matching items page by page (never all in memory). ``unit`` means the unit
        and every unit below it. ``overdue``: past the SLA, or (unless not ``by_objections``)
        with an open objection past its handling deadline. A flow or unit that does not
        exist is an error, not an empty list (a typo must not look like "none")."""
        deps = self._deps
        now = deps.now()
        units = self._units(flow, unit, None)
        for row in paged(deps, lambda tx, after, size: tx.items.page(
                state=state, flow=flow, units=units, overdue_at=now if overdue else None,
                after_id=after, limit=size, objections=by_objections), lambda row: row.id,
                limit):
            yield item_summary(deps, row, now)

    def _units(self, flow: str | None, unit: str | None, actor: Actor | None
               ) -> list[str] | None:
        """The units a listing covers: ``unit`` and its subtree, within what ``actor`` sees
        (the units where they hold a role and below) when one is given; None for all."""
        deps = self._deps

        def work(tx: Tx) -> list[str] | None:
            if flow is not None and flow not in deps.definitions.flows \
                    and not tx.flows.used(flow):
                deps.definitions.flow(flow)  # raises NotFound, with the known flows
            tree = deps.tree(tx)
            if unit is not None and unit not in tree.units:
                raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown",
                               unit=unit)
            chosen = None if unit is None else {unit} | tree.descendants(unit)
            if actor is not None:
                seen = set(access.reach(deps, tx, actor))
                chosen = seen if chosen is None else chosen & seen
            return None if chosen is None else sorted(chosen)

        return deps.run(work)

    # ---- lists (spreadsheets) ------------------------------------------------------------

    def list_template(self, flow: str, out: IO[bytes]) -> dict[str, Any]:
        """Write the flow's list template (.xlsx) to ``out``."""
        # the list reader and openpyxl: only the commands that read or write lists
        from workflow import intake, sheets

        spec = self._deps.definitions.flow(flow)
        columns = intake.columns(spec)

        sheets.write_list(out, columns, title=f"Danh sách đề nghị: {spec.title.get('vi', '')}"
                          f" ({spec.id})", guide=_GUIDE, when=self._deps.now())
        return {"flow": spec.id, "columns": [c.key for c in columns],
                "required": [c.key for c in columns if c.required]}

    def import_file(self, actor: Actor, path: Path, flow: str, unit: str) -> dict[str, Any]:
        """:meth:`import_list` on a file."""
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise InvalidInput(f"no file {str(path)!r} to import", msgid="attach.no_file",
                               values={"name": path.name}, file=str(path)) from None
        except IsADirectoryError:
            raise InvalidInput(f"{str(path)!r} is a folder, not a file",
                               msgid="attach.folder", values={"name": path.name},
                               file=str(path)) from None
        except OSError as exc:
            raise InvalidInput(f"cannot read {str(path)!r}: {exc.strerror}",
                               msgid="attach.unreadable", values={"name": path.name},
                               file=str(path)) from None
        return self.import_list(actor, flow, unit, path.name, content)

    def import_list(self, actor: Actor, flow: str, unit: str, name: str, content: bytes
                    ) -> dict[str, Any]:
        """Create one nomination per row of a unit's list (``.xlsx`` or ``.csv``), all or
        nothing: :class:`~workflow.errors.ListRejected` carries every problem of the file."""
        from workflow import intake, sheets
        from workflow.service.commands import lists

        deps = self._deps
        deps.run(lambda tx: lists.check_may_import(deps, tx, actor, flow, unit))
        spec = deps.definitions.flow(flow)
        parsed = intake.parse(sheets.read(name, content), spec)
        digest = hashlib.sha256(content).hexdigest()
        return deps.run(lambda tx: lists.import_list(deps, tx, actor, flow, unit, parsed,
                                                     digest), immediate=True)

    def export(self, out: IO[bytes], fmt: str, *, state: str | None = None,
               flow: str | None = None, unit: str | None = None, overdue: bool = False,
               limit: int | None = None, actor: Actor | None = None,
               steps: list[tuple[str, str]] | None = None, year: int | None = None,
               name: str | None = None) -> int:
        """Write the items ``find`` gives (within what ``actor`` sees, if given) to ``out`` as
        ``xlsx`` or ``csv``, page by page; returns how many. ``steps``, ``year`` and
        ``name`` narrow as the web's items list does (:meth:`Staff.items_for`)."""
        if fmt not in ("xlsx", "csv"):
            raise InvalidInput(f"format {fmt!r}: use xlsx or csv", msgid="export.bad_format",
                               format=fmt)
        deps = self._deps
        units = self._units(flow, unit, actor)
        spec = deps.definitions.flows.get(flow) if flow else None
        fields = tuple(spec.fields) if spec else ()
        labels = [label for _, label in EXPORT_COLUMNS] + [
            spec.fields[f].label.get("vi", f) if spec else f for f in fields]
        now = deps.now()

        wanted = fold(name) if name else ""

        def fetch(tx: Tx, after: int, size: int) -> list[tuple[int, list[Any] | None]]:
            rows = tx.items.page(state=state, flow=flow, units=units,
                                 overdue_at=now if overdue else None, after_id=after,
                                 limit=size, steps=steps, year=year)
            kept = [r for r in rows if not wanted or wanted in fold(r.nominee)]
            shown = dict(zip((r.id for r in kept), export_rows(deps, tx, kept, fields),
                             strict=True))
            # every row read moves the cursor on; only the ones the name keeps are written
            return [(r.id, shown.get(r.id)) for r in rows]

        pages = paged(deps, fetch, lambda pair: pair[0], None if wanted else limit)
        chosen: Iterator[list[Any]] = (row for _, row in pages if row is not None)
        if wanted and limit is not None:
            chosen = itertools.islice(chosen, limit)
        from workflow import sheets

        return sheets.write_table(out, fmt, [key for key, _ in EXPORT_COLUMNS] + list(fields),
                                  labels, chosen)

    def available(self, actor: Actor, nomination_id: str) -> list[dict[str, Any]]:
        """What ``actor`` may do to the item now (a dry run: roles, then guards)."""
        def work(tx: Tx) -> list[dict[str, Any]]:
            item, machine = load(self._deps, tx, nomination_id)
            return available(self._deps, tx, actor, item, machine.spec)

        return self._deps.run(work)

    def queue(self, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
        """Items waiting on ``actor``: overdue first, then by due time."""
        return self._deps.run(lambda tx: queue(self._deps, tx, actor, limit))

    # ---- documents -----------------------------------------------------------------------

    def rendered(self, nomination_id: str) -> Documents:
        """Documents the engine rendered for an item (decisions, minutes), with content."""
        def work(tx: Tx) -> Documents:
            item, _ = load(self._deps, tx, nomination_id)
            return [{"id": str(i), "template": t, "sha256": h, "content": c}
                    for i, t, h, c in tx.documents.rendered_content(item.id)]

        return self._deps.run(work)

    def render(self, nomination_id: str, template: str) -> dict[str, Any]:
        deps = self._deps

        def work(tx: Tx) -> dict[str, Any]:
            item, machine = load(deps, tx, nomination_id)
            if not deps.renderer.exists(template):
                known = deps.renderer.names()
                raise NotFound(f"no template {template!r}{suggest(template, known)}; "
                               f"templates: {', '.join(known)}", msgid="template.unknown",
                               template=template)
            notice_templates = {s.notice.template for s in machine.spec.states.values()
                                if s.notice is not None}
            if template in notice_templates:
                # a notice is one published document for a batch: give it as published
                published = tx.notices.latest_for(item.id)
                if published is None:
                    raise NotAllowed(f"nomination {item.id} has not been on public notice",
                                     msgid="render.not_on_notice")
                return {"nomination": str(item.id), "template": template,
                        "notice": str(published.id), "sha256": published.sha256,
                        "text": tx.notices.html(published.id) or ""}
            issuing = [s.name for s in machine.spec.states.values() if template in s.render]
            if issuing and template not in {d.template for d in tx.documents.rendered(item.id)}:
                # a decision is issued on entry into its state, never for an item that did
                # not get there (a rejected nominee gets no award decision)
                raise NotAllowed(
                    f"nomination {item.id} has no {template}: the flow issues it on entering "
                    f"{', '.join(issuing)}; the item is in {item.state}",
                    msgid="render.not_issued", values={"states": issuing, "state": item.state},
                    template=template)
            extra: dict[str, Any] = {}
            if template == MINUTES:
                round_id = latest_closed(tx, item)
                if round_id is None:
                    raise NotAllowed(f"nomination {item.id} has no closed ballot round yet; "
                                     "minutes are written when a vote closes",
                                     msgid="render.no_minutes")
                extra = minutes_extra(deps, tx, item, round_id)
            text, digest = render_item(deps, tx, item, machine.spec, template, extra)
            return {"nomination": str(item.id), "template": template, "sha256": digest,
                    "text": text}

        return deps.run(work)
