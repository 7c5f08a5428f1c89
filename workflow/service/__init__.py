"""The application layer: one method per use case, each one unit of work.

:class:`Service` is the facade entry points (CLI, web, scheduler) call. Each method runs in a
single transaction via :meth:`Deps.run` (retried on transient lock failures) and returns plain
data. The modules beside this one hold the use cases by concern.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

from workflow.directory import parse_directory
from workflow.errors import DefinitionError, NotAllowed, NotFound, Problem, StoreUnavailable
from workflow.flow import load_flow
from workflow.flow.io import describe, render_graph
from workflow.ids import decimal, parse_id, shorten
from workflow.service import ballots, confirmations, items, notices, timers
from workflow.service.context import PUBLIC, SYSTEM, Actor, Deps
from workflow.service.views import audit_view, iso, item_detail, item_summary
from workflow.store import NominationRow, Tx
from workflow.store.audit import (
    EXPORT_COLUMNS,
    GENESIS,
    VerifyReport,
    verify,
    verify_rows,
)
from workflow.yamlnodes import read_definition, suggest

__all__ = ["PUBLIC", "SYSTEM", "Actor", "Deps", "Service"]

PAGE = 500
Documents = list[dict[str, Any]]  # named outside the class, where ``list`` is a method


R = TypeVar("R")


class Service:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _paged(self, fetch: Callable[[Tx, int, int], Sequence[R]], cursor: Callable[[R], int],
               limit: int | None = None) -> Iterator[R]:
        """Rows page by page, one short transaction per page (nothing loads everything):
        ``fetch(tx, after, size)`` returns rows after the cursor value ``after``."""
        after, left = 0, limit
        while left is None or left > 0:
            size = PAGE if left is None else min(PAGE, left)
            rows = self.deps.run(lambda tx, a=after, n=size: fetch(tx, a, n))  # type: ignore[misc]
            yield from rows
            if len(rows) < size:
                return
            after = cursor(rows[-1])
            if left is not None:
                left -= len(rows)

    # ---- setup ---------------------------------------------------------------------------

    def init(self) -> dict[str, Any]:
        created = self.deps.store.create_schema()
        return {"created": created, "database": self.deps.store.engine.url.render_as_string(
            hide_password=True)}

    def health(self) -> None:
        """Raise :class:`~workflow.errors.StoreUnavailable` unless one unit of work can read
        the award schema now (a connection is borrowed and returned like any request's)."""
        if self.deps.run(lambda tx: tx.meta("schema")) is None:
            raise StoreUnavailable("the database has no award schema; run `award init`")

    def load_directory(self, path: Path) -> dict[str, Any]:
        text = read_definition(path)
        codes = self.deps.definitions.catalogue.codes()

        def work(tx: Any) -> dict[str, Any]:
            # a file may add people to units and people already loaded (an add-on file)
            data = parse_directory(text, str(path), codes, {u.id: u for u in tx.units()},
                                   tx.logins())
            counts = tx.apply_directory(data)
            if any(counts.values()):
                tx.audit.append(self.deps.now(), "admin", "imported", None, None, None, {
                    "file": path.name, **counts,
                    "units_total": len(data.units), "people_total": len(data.people)})
            return {"file": str(path), "changed": counts,
                    "units": len(data.units), "people": len(data.people),
                    "awards": len(data.awards)}

        return self.deps.run(work)

    # ---- flows (definitions only) --------------------------------------------------------

    def flows(self) -> list[dict[str, Any]]:
        defs = self.deps.definitions
        out = [
            {"id": f.id, "version": f.version, "title": dict(f.title), "award": f.award,
             "states": list(f.states), "path": f.path, "ok": True}
            for f in sorted(defs.flows.values(), key=lambda f: f.id)
        ]
        for path, error in sorted(defs.broken.items()):
            out.append({"id": Path(path).stem, "path": path, "ok": False,
                        "error": str(error.problems[0]) if error.problems else error.message,
                        "problems": len(error.problems)})
        return out

    def flow_show(self, flow_id: str) -> dict[str, Any]:
        return describe(self.deps.definitions.flow(flow_id))

    def flow_graph(self, flow_id: str, fmt: str) -> str:
        return render_graph(self.deps.definitions.flow(flow_id), fmt)

    def validate(self, paths: list[Path]) -> list[Problem]:
        """Every problem in the given flow files (folders: their ``*.yaml``)."""
        from workflow.definitions import flow_files

        problems: list[Problem] = []
        missing = [p for p in paths if not p.exists()]
        for path in missing:
            problems.append(Problem(str(path), 1, 1, "no such file or folder"))
        files = flow_files([p for p in paths if p.exists()])
        if not files and not missing:
            problems.append(Problem(str(paths[0]) if paths else ".", 1, 1, "no flow files found"))
        seen: dict[str, str] = {}
        for path in files:
            try:
                spec = load_flow(path, self.deps.definitions.env)
            except DefinitionError as exc:
                problems.extend(exc.problems)
                continue
            if spec.id in seen:
                problems.append(Problem(str(path), 1, 1,
                                        f"flow id {spec.id!r} is also defined in {seen[spec.id]}"))
            seen[spec.id] = str(path)
        return problems

    # ---- items ---------------------------------------------------------------------------

    def nominate(self, actor: Actor, flow: str, unit: str, nominee: str,
                 person: str | None = None, values: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
        return self.deps.run(lambda tx: items.nominate(
            self.deps, tx, actor, flow, unit, nominee, person, values or {}))

    def update(self, actor: Actor, nomination_id: str, values: dict[str, Any],
               expect_version: int | None = None) -> dict[str, Any]:
        return self.deps.run(lambda tx: items.update_fields(
            self.deps, tx, actor, nomination_id, values, expect_version))

    def attach(self, actor: Actor, nomination_id: str, doctype: str, path: Path
               ) -> dict[str, Any]:
        return self.deps.run(lambda tx: items.attach(
            self.deps, tx, actor, nomination_id, doctype, path))

    def fire(self, actor: Actor, nomination_id: str, trigger: str, comment: str | None = None,
             expect_version: int | None = None) -> dict[str, Any]:
        pin: dict[str, int] = {}
        return self.deps.run(lambda tx: items.fire(
            self.deps, tx, actor, nomination_id, trigger, comment, expect_version, pin))

    def vote(self, actor: Actor, nomination_id: str, choice: str,
             written_for: str | None = None) -> dict[str, Any]:
        """Cast a ballot (or, as secretariat, record an absent member's written ballot)."""
        return self.deps.run(lambda tx: ballots.cast(
            self.deps, tx, actor, nomination_id, choice, written_for))

    def recuse(self, actor: Actor, nomination_id: str, reason: str | None = None
               ) -> dict[str, Any]:
        """A council member declares a conflict of interest in the open round."""
        return self.deps.run(lambda tx: ballots.recuse(
            self.deps, tx, actor, nomination_id, reason))

    def object(self, actor: Actor | None, nomination_id: str, text: str,
               name: str | None = None, contact: str | None = None) -> dict[str, Any]:
        """File an objection: anyone during a notice window, staff at any time."""
        return self.deps.run(lambda tx: notices.file_objection(
            self.deps, tx, actor, nomination_id, text, name, contact))

    def resolve(self, actor: Actor, objection_id: str, outcome: str, comment: str
                ) -> dict[str, Any]:
        return self.deps.run(lambda tx: notices.resolve(
            self.deps, tx, actor, objection_id, outcome, comment))

    def confirm(self, actor: Actor, nomination_id: str, key: str, decision: str,
                comment: str | None = None) -> dict[str, Any]:
        return self.deps.run(lambda tx: confirmations.confirm(
            self.deps, tx, actor, nomination_id, key, decision, comment))

    def notices(self, limit: int | None = None) -> Iterator[dict[str, Any]]:
        return self._paged(lambda tx, after, size: notices.notices_view(self.deps, tx, after,
                                                                         size),
                           lambda row: int(row["id"]), limit)

    def notice_html(self, notice_id: str) -> str:
        key = parse_id(notice_id, "notice")
        html = self.deps.run(lambda tx: tx.notices.html(key))
        if html is None:
            raise NotFound(f"no notice {key}", id=str(key))
        return html

    def outbox(self, nomination_id: str | None = None, recipient: str | None = None,
               kind: str | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        nom = None if nomination_id is None else parse_id(nomination_id, "nomination")
        if nom is not None:
            self.deps.run(lambda tx: items.load(self.deps, tx, nom))
        tz = self.deps.display_tz
        for row in self._paged(lambda tx, after, size: tx.outbox.page(
                after, size, nom, recipient, kind), lambda row: int(row[0]), limit):
            yield {"id": str(row[0]), "at": iso(row[1], tz), "kind": row[2],
                   "recipient": row[3], "nomination": None if row[4] is None else str(row[4]),
                   "subject": row[5], "body": row[6]}

    def escalate(self, batch: int = timers.SWEEP_BATCH) -> dict[str, int]:
        """One sweep at "now": reminders, escalations, timer fires, notice windows."""
        now = self.deps.now()
        totals: dict[str, int] = {}
        while True:
            counts = self.deps.run(functools.partial(_sweep, self.deps, now, batch),
                                   immediate=True)
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            if counts["claimed"] < batch:
                return totals

    def digest(self) -> dict[str, int]:
        """Today's digest of overdue items, one message per unit and recipient (idempotent:
        any number of schedulers may run it; each message is written once per day)."""
        now = self.deps.now()
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for row in self.list(overdue=True):
            by_unit.setdefault(row["unit"], []).append(row)
        return self.deps.run(functools.partial(timers.write_digest, self.deps, now, by_unit))

    def available(self, actor: Actor, nomination_id: str) -> list[dict[str, Any]]:
        """What ``actor`` may do to the item now (a dry run: roles, then guards)."""
        def work(tx: Any) -> list[dict[str, Any]]:
            item, machine = items.load(self.deps, tx, nomination_id)
            return items.available(self.deps, tx, actor, item, machine.spec)

        return self.deps.run(work)

    def queue(self, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
        """Items waiting on ``actor``: overdue first, then by due time."""
        return self.deps.run(lambda tx: items.queue(self.deps, tx, actor, limit))

    def person(self, login: str) -> dict[str, Any] | None:
        """A directory entry with its roles (no password hash)."""
        def work(tx: Any) -> dict[str, Any] | None:
            row = tx.person(login)
            if row is None:
                return None
            return {"login": row["login"], "name": row["name"], "email": row["email"],
                    "roles": [f"{r}@{u}" for r, u in tx.roles_of(login)]}

        return self.deps.run(work)

    def show(self, nomination_id: str) -> dict[str, Any]:
        def work(tx: Any) -> dict[str, Any]:
            item, machine = items.load(self.deps, tx, nomination_id)
            return item_detail(self.deps, tx, item, machine.spec)

        return self.deps.run(work)

    def list(self, *, state: str | None = None, flow: str | None = None,
             unit: str | None = None, overdue: bool = False, limit: int | None = None
             ) -> Iterator[dict[str, Any]]:
        """Stream matching items page by page (never all in memory). A flow or unit that
        does not exist is an error, not an empty list (a typo must not look like "none")."""
        now = self.deps.now()

        def check(tx: Tx) -> None:
            if flow is not None and flow not in self.deps.definitions.flows \
                    and not tx.flow_stored(flow):
                self.deps.definitions.flow(flow)  # raises NotFound, with the known flows
            if unit is not None and unit not in self.deps.tree(tx).units:
                raise NotFound(f"no unit {unit!r} in the directory", unit=unit)

        self.deps.run(check)
        for row in self._paged(lambda tx, after, size: tx.list_nominations(
                state=state, flow=flow, unit=unit, overdue_at=now if overdue else None,
                after_id=after, limit=size), lambda row: row.id, limit):
            yield item_summary(self.deps, row, now)

    # ---- audit ---------------------------------------------------------------------------

    def _audit_rows(self, nomination_id: str | None = None) -> Iterator[dict[str, Any]]:
        return self._paged(lambda tx, after, size: tx.audit_entries(
            nomination_id, after_seq=after, limit=size), lambda row: int(row["seq"]))

    def audit_log(self, nomination_id: str | None = None) -> Iterator[dict[str, Any]]:
        only = None
        if nomination_id is not None:  # entries name the item as it is stored ("007" is 7)
            only = str(self.deps.run(lambda tx: items.load(self.deps, tx, nomination_id))[0].id)
        tz = self.deps.display_tz
        for row in self._audit_rows(only):
            yield audit_view(row, tz)

    def audit_verify(self, progress: Callable[[int], None] | None = None,
                     anchor: tuple[int, str] | None = None) -> VerifyReport:
        return self.deps.run(lambda tx: verify(tx.conn, self.deps.store.chain, progress, anchor))

    def audit_head(self) -> dict[str, Any]:
        head = self.deps.run(lambda tx: tx.audit_head())
        if head is None:
            return {"seq": 0, "hash": GENESIS}
        return {"seq": head[0], "hash": head[1]}

    def audit_stored(self) -> Iterator[tuple[Any, ...]]:
        """Every entry in its stored form (what was hashed), oldest first, page by page."""
        for row in self._audit_rows():
            yield tuple(row[c] for c in ("seq", "at", "actor", "action", "nomination",
                                         "from_state", "to_state", "payload", "prev_hash",
                                         "hash"))

    def audit_export(self, fmt: str, out: TextIO) -> int:
        """Write the chain in its stored form, so an inspector can re-verify the export
        offline (``award audit verify --export FILE``)."""
        count = 0
        writer = csv.writer(out) if fmt == "csv" else None
        if writer is not None:
            writer.writerow(EXPORT_COLUMNS)
        for row in self.audit_stored():
            if writer is not None:
                writer.writerow(["" if v is None else v for v in row])
            else:
                out.write(json.dumps(dict(zip(EXPORT_COLUMNS, row, strict=True)),
                                     ensure_ascii=False) + "\n")
            count += 1
        return count

    def verify_export(self, path: Path, anchor: tuple[int, str] | None = None) -> VerifyReport:
        """Re-verify an exported chain file (JSON lines or CSV) with this installation's key."""
        return verify_rows(read_export(path), self.deps.store.chain, anchor=anchor)

    def rendered(self, nomination_id: str) -> Documents:
        """Documents the engine rendered for an item (decisions, minutes), with content."""
        def work(tx: Any) -> Documents:
            item, _ = items.load(self.deps, tx, nomination_id)
            return [{"id": str(i), "template": t, "sha256": h, "content": c}
                    for i, t, h, c in tx.rendered_content(item.id)]

        return self.deps.run(work)

    def render(self, nomination_id: str, template: str) -> dict[str, Any]:
        from workflow.service.renders import render_item

        def work(tx: Any) -> dict[str, Any]:
            item, machine = items.load(self.deps, tx, nomination_id)
            if not self.deps.renderer.exists(template):
                known = self.deps.renderer.names()
                raise NotFound(f"no template {template!r}{suggest(template, known)}; "
                               f"templates: {', '.join(known)}", template=template)
            notice_templates = {s.notice.template for s in machine.spec.states.values()
                                if s.notice is not None}
            if template in notice_templates:
                # a notice is one published document for a batch: give it as published
                published = tx.notices.latest_for(item.id)
                if published is None:
                    raise NotAllowed(f"nomination {item.id} has not been on public notice")
                return {"nomination": str(item.id), "template": template,
                        "notice": str(published.id), "sha256": published.sha256,
                        "text": tx.notices.html(published.id) or ""}
            issuing = [s.name for s in machine.spec.states.values() if template in s.render]
            if issuing and template not in {d["template"] for d in tx.rendered(item.id)}:
                # a decision is issued on entry into its state, never for an item that did
                # not get there (a rejected nominee gets no award decision)
                raise NotAllowed(
                    f"nomination {item.id} has no {template}: the flow issues it on entering "
                    f"{', '.join(issuing)}; the item is in {item.state}", template=template)
            extra: dict[str, Any] = {}
            if template == ballots.MINUTES:
                round_id = ballots.latest_closed(tx, item)
                if round_id is None:
                    raise NotAllowed(f"nomination {item.id} has no closed ballot round yet; "
                                     "minutes are written when a vote closes")
                extra["ballot"] = ballots.minutes_context(self.deps, tx, item, round_id)
            text, digest = render_item(self.deps, tx, item, machine.spec, template, extra)
            return {"nomination": str(item.id), "template": template, "sha256": digest,
                    "text": text}

        return self.deps.run(work)

    # ---- the web interface: people, sign-in, what a person may see -----------------------

    def set_password(self, login: str, password: str) -> dict[str, Any]:
        """Set a person's password (an administrator's command); stored as an argon2 hash."""
        from argon2 import PasswordHasher

        from workflow.errors import InvalidInput

        if len(password) < 8:
            raise InvalidInput("a password needs at least 8 characters")
        if len(password) > 1024:
            raise InvalidInput("a password has at most 1024 characters")
        if not password.strip():
            raise InvalidInput("a password cannot be only spaces")
        digest = PasswordHasher().hash(password)

        def work(tx: Tx) -> dict[str, Any]:
            if not tx.set_password_hash(login, digest):
                raise NotFound(f"no person {login!r} in the directory", person=login)
            tx.end_sessions(login)  # a new password signs the person out everywhere
            tx.audit.append(self.deps.now(), "admin", "password_set", None, None, None,
                            {"login": login})
            return {"login": login, "set": True}

        return self.deps.run(work)

    def authenticate(self, login: str, password: str) -> dict[str, Any] | None:
        """The person (with roles and a session ``stamp``) if the password matches, else None.

        The stamp changes whenever the password does, so a changed password ends every
        session signed in with the old one (see :meth:`signed_in`)."""
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        hasher = PasswordHasher()
        row = self.deps.run(lambda tx: tx.person(login)) if login else None
        stored = row.get("password_hash") if row else None
        try:
            # an unknown login costs as much as a wrong password (no timing oracle)
            hasher.verify(stored or self._dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not stored:
            return None
        if hasher.check_needs_rehash(stored):
            fresh = hasher.hash(password)
            self.deps.run(lambda tx: tx.set_password_hash(login, fresh))
        return self.signed_in(login, None)

    @staticmethod
    @functools.cache
    def _dummy_hash() -> str:
        from argon2 import PasswordHasher

        return PasswordHasher().hash("not a password of anyone")

    def signed_in(self, login: str, stamp: str | None) -> dict[str, Any] | None:
        """The person, or None if the login is gone, has no password, or the password changed
        since ``stamp`` was taken (``stamp=None`` skips that check; a cache of HTTP Basic
        credentials uses the stamp to notice a changed password)."""
        import hashlib
        import hmac

        def work(tx: Tx) -> dict[str, Any] | None:
            row = tx.person(login)
            if row is None or not row.get("password_hash"):
                return None
            current = hashlib.sha256(row["password_hash"].encode()).hexdigest()[:32]
            if stamp is not None and not hmac.compare_digest(current, stamp):
                return None
            return {"login": row["login"], "name": row["name"], "email": row["email"],
                    "roles": [f"{r}@{u}" for r, u in tx.roles_of(login)], "stamp": current}

        return self.deps.run(work)

    def open_session(self, login: str, seconds: int) -> str:
        """A new web session for ``login``: a random token for the browser's cookie, of which
        the database keeps only the SHA-256 (reading it does not let anyone sign in)."""
        import hashlib
        import secrets
        from datetime import timedelta

        token = secrets.token_urlsafe(32)
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = self.deps.now()
        self.deps.run(lambda tx: tx.add_session(digest, login, now,
                                                now + timedelta(seconds=seconds)))
        return token

    def session_person(self, token: str) -> dict[str, Any] | None:
        """The person signed in with ``token``, or None (unknown, expired or signed out)."""
        import hashlib

        digest = hashlib.sha256(token.encode()).hexdigest()
        login = self.deps.run(lambda tx: tx.session_login(digest, self.deps.now()))
        return None if login is None else self.signed_in(login, None)

    def sign_out(self, login: str) -> None:
        """End every web session of ``login``, on every device (a copied cookie dies too)."""
        self.deps.run(lambda tx: tx.end_sessions(login))

    def session_key(self) -> str:
        """The key that signs the web session cookie (kept outside the database, see
        :mod:`workflow.keys`; every process given the same key accepts the same cookies)."""
        return self.deps.run(lambda tx: self.deps.key(tx, "web-session")).hex()

    def _sees(self, tx: Tx, actor: Actor, unit_id: str, role: str | None = None) -> bool:
        """Whether ``actor`` holds a role (``role``, or any) at the unit or above it."""
        above = set(self.deps.tree(tx).ancestors(unit_id))
        return any(u in above and (role is None or r == role) for r, u in tx.roles_of(actor.login))

    def _reach(self, tx: Tx, actor: Actor) -> tuple[str, ...]:
        """The units where ``actor`` holds a role, and every unit below them."""
        tree = self.deps.tree(tx)
        units: set[str] = set()
        for _role, unit in tx.roles_of(actor.login):
            units.add(unit)
            units |= tree.descendants(unit)
        return tuple(sorted(units))

    def _check_sees(self, tx: Tx, actor: Actor, item: NominationRow) -> None:
        from workflow.errors import PermissionDenied

        if not self._sees(tx, actor, item.unit_id):
            raise PermissionDenied(
                f"{actor.login} may not see nomination {item.id}: no role at "
                f"{item.unit_id} or a unit above it", actor=actor.login)

    def check_whole_audit(self, actor: Actor) -> None:
        """The whole chain names every unit's items: exporting it over the web takes an
        auditor at a top unit of the directory (one with no parent)."""
        from workflow.errors import PermissionDenied

        def work(tx: Tx) -> None:
            tree = self.deps.tree(tx)
            tops = [u for u in tree.units.values() if u.parent is None]
            if not any(r == "auditor" and tree.units.get(u) in tops
                       for r, u in tx.roles_of(actor.login)):
                raise PermissionDenied(
                    f"{actor.login} may not export the whole audit trail: needs auditor at "
                    f"{' or '.join(u.id for u in tops) or 'the top unit'}", actor=actor.login)

        self.deps.run(work)

    def check_visible(self, actor: Actor, nomination_id: str) -> None:
        """NotFound, or PermissionDenied unless ``actor`` holds a role at the item's unit or a
        unit above it (so an interface refuses a stranger before saying anything about the
        item's state)."""
        def work(tx: Tx) -> None:
            item, _machine = items.load(self.deps, tx, nomination_id)
            self._check_sees(tx, actor, item)

        self.deps.run(work)

    def item_view(self, actor: Actor, nomination_id: str) -> dict[str, Any]:
        """:meth:`show` for a person who holds a role at the item's unit or above (else
        PermissionDenied), with what they may do now (:meth:`available`) and the flow's
        labels as the item's pinned version has them."""
        def work(tx: Tx) -> dict[str, Any]:
            item, machine = items.load(self.deps, tx, nomination_id)
            flow = machine.spec
            self._check_sees(tx, actor, item)
            data = item_detail(self.deps, tx, item, flow)
            data["spec"] = describe(flow)
            data["unit_name"] = getattr(self.deps.tree(tx).units.get(item.unit_id), "name",
                                        item.unit_id)
            data["actions"] = items.available(self.deps, tx, actor, item, flow)
            data["may_attach"] = not item.final and self.deps.holds_any(
                tx, actor, items._editors(flow, item.state), item.unit_id)
            for objection in data["objections"]:  # examined by the body that published it
                objection["may_resolve"] = objection["status"] == "open" and notices.may_resolve(
                    self.deps, tx, actor.login, item, flow, objection["notice"])[0]
            data["may_complain"] = not item.final and notices._is_staff(self.deps, tx, actor,
                                                                        item)
            data["may_audit"] = self._sees(tx, actor, item.unit_id, "auditor")
            return data

        return self.deps.run(work)

    def items_for(self, actor: Actor, *, state: str | None = None, flow: str | None = None,
                  before: int | None = None, limit: int = 100
                  ) -> tuple[dict[str, Any], ...]:
        """Items at the units where ``actor`` holds a role or below, newest first."""
        def work(tx: Tx) -> tuple[dict[str, Any], ...]:
            units = self._reach(tx, actor)
            if not units:
                return ()
            now = self.deps.now()
            rows = tx.nominations_in(list(units), before_id=before, limit=limit, state=state,
                                     flow=flow)
            return tuple(item_summary(self.deps, row, now) for row in rows)

        return self.deps.run(work)

    def nomination_options(self, actor: Actor) -> tuple[dict[str, Any], ...]:
        """The flows ``actor`` may start, each with the units they may nominate at and the
        flow's fields and document types (what a nomination form needs)."""
        def work(tx: Tx) -> tuple[dict[str, Any], ...]:
            tree = self.deps.tree(tx)
            held = set(tx.roles_of(actor.login))
            reach = self._reach(tx, actor)
            out: list[dict[str, Any]] = []
            for spec in sorted(self.deps.definitions.flows.values(), key=lambda f: f.id):
                roles = items.proposer_roles(spec)
                units = [u for u in reach if any(
                    (ref.role, tree.resolve(u, ref.scope)) in held for ref in roles)]
                if not units:
                    continue
                out.append({
                    "id": spec.id, "title": dict(spec.title), "award": spec.award,
                    "nominee": spec.nominee, "description": dict(spec.description),
                    "units": [{"id": u, "name": tree.units[u].name} for u in units],
                    "fields": [{"name": f.name, "type": f.type, "required": f.required,
                                "label": dict(f.label), "values": list(f.values),
                                "min": f.min, "max": f.max, "max_length": f.max_length}
                               for f in spec.fields.values()],
                    "documents": {name: dict(d.label) for name, d in spec.documents.items()},
                })
            return tuple(out)

        return self.deps.run(work)

    def _public_notice(self, tx: Tx, notice_id: int) -> dict[str, Any] | None:
        rows = notices.notices_view(self.deps, tx, notice_id - 1, 1)
        if not rows or rows[0]["id"] != str(notice_id):
            return None
        view = rows[0]
        tree = self.deps.tree(tx)
        spec = self.deps.definitions.flows.get(view["flow"])
        award = self.deps.definitions.catalogue.get(spec.award) if spec else None
        nominees = []
        for entry in view["nominees"]:
            unit = tree.units.get(entry["unit"])
            nominees.append({
                "id": entry["id"], "nominee": entry["nominee"], "unit": entry["unit"],
                "unit_name": unit.name if unit else entry["unit"],
                "window_open": entry["window_open"], "window_ends_at": entry["window_ends_at"]})
        return {
            "id": view["id"], "flow": view["flow"],
            "title": dict(spec.title) if spec else {"vi": view["flow"]},
            "award": spec.award if spec else None,
            "award_title": dict(award.title) if award else None,
            "unit": view["unit"], "unit_name": view["unit_name"], "day": view["day"],
            "starts_at": view["starts_at"], "ends_at": view["ends_at"],
            "extended_to": view["extended_to"],
            "status": view["status"], "sha256": view["sha256"],
            "audit_head": view["audit_head"], "nominees": nominees,
        }

    def public_notices(self, *, before: int | None = None, limit: int = 50
                       ) -> tuple[dict[str, Any], ...]:
        """Public notices, newest first, with what the public may know of each nominee (no
        state, no fields): name, unit, whether objections are accepted now."""
        def work(tx: Tx) -> tuple[dict[str, Any], ...]:
            out = [self._public_notice(tx, i) for i in tx.notice_ids_newest(before, limit)]
            return tuple(n for n in out if n is not None)

        return self.deps.run(work)

    def public_notice(self, notice_id: str) -> dict[str, Any]:
        key = parse_id(notice_id, "notice")
        view = self.deps.run(lambda tx: self._public_notice(tx, key))
        if view is None:
            raise NotFound(f"no notice {key}", id=str(key))
        return view

    def public_nominee(self, nomination_id: str) -> dict[str, Any]:
        """A nominee as the public sees them: only items that were on a public notice."""
        # the same answer for an item never published as for no item at all: the public
        # learns nothing of nominations that were not put before it
        key = decimal(nomination_id)
        named = str(key) if key else repr(shorten(nomination_id))
        hidden = NotFound(f"no nominee {named} on a public notice",
                          id=str(key) if key else shorten(nomination_id))

        def work(tx: Tx) -> dict[str, Any]:
            if not key:
                raise hidden
            try:
                item, machine = items.load(self.deps, tx, key)
            except NotFound:
                raise hidden from None
            notice = tx.notices.latest_for(item.id)
            if notice is None:
                raise hidden
            view = self._public_notice(tx, notice.id)
            assert view is not None
            flow = machine.spec
            now = self.deps.now()
            open_ = notices.window_open(self.deps, tx, item, flow, now)
            due = tx.window_due(item.id, item.entry_no) if open_ else None
            entry = next(n for n in view["nominees"] if n["id"] == str(item.id))
            return {**entry, "flow": flow.id, "title": dict(flow.title),
                    "award": flow.award, "award_title": view["award_title"],
                    "notice": {k: v for k, v in view.items() if k != "nominees"},
                    "window_ends_at": iso(due, self.deps.display_tz) if due else None}

        return self.deps.run(work)

    def objections_to_resolve(self, actor: Actor, limit: int = 200
                              ) -> tuple[dict[str, Any], ...]:
        """Open objections ``actor`` examines as secretariat (see notices.may_resolve), oldest
        first, without the objector's personal data."""
        def work(tx: Tx) -> tuple[dict[str, Any], ...]:
            tree = self.deps.tree(tx)
            units: set[str] = set()
            for role, unit in tx.roles_of(actor.login):
                if role == "secretariat":
                    units.add(unit)
                    units |= tree.descendants(unit)
            out: list[dict[str, Any]] = []
            tz = self.deps.display_tz
            after = 0
            # page on: objections a higher body examines are skipped, not counted
            while len(out) < limit and (page := tx.open_objections_in(sorted(units), limit,
                                                                       after)):
                for objection_id, nomination_id in page:
                    after = objection_id
                    row = tx.notices.objection(objection_id)
                    item = tx.nomination(nomination_id)
                    if row is None or item is None or not notices.may_resolve(
                            self.deps, tx, actor.login, item,
                            self.deps.compiled(tx, item.flow_version).spec, row.notice_id)[0]:
                        continue
                    out.append({"id": str(objection_id), "nomination": str(item.id),
                                "nominee": item.nominee, "unit": item.unit_id,
                                "state": item.state, "filed_at": iso(row.filed_at, tz),
                                "by": row.filed_by or "public", "text": row.text})
                    if len(out) == limit:
                        break
            return tuple(out)

        return self.deps.run(work)


def _sweep(deps: Deps, now: Any, batch: int, tx: Tx) -> dict[str, int]:
    return timers.sweep_batch(deps, tx, now, batch)


def read_export(path: Path) -> Iterator[tuple[Any, ...]]:
    """Rows of an exported chain, in stored form; a malformed file is an InvalidInput."""
    from workflow.errors import InvalidInput

    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {str(path)!r}: {exc.strerror}") from None
    with handle:
        if path.suffix.lower() == ".csv":
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or tuple(header) != EXPORT_COLUMNS:
                raise InvalidInput(f"{path.name}: not an audit export (header "
                                   f"{', '.join(EXPORT_COLUMNS)})")
            for number, row in enumerate(reader, start=2):
                seq = decimal(row[0]) if len(row) == len(EXPORT_COLUMNS) else None
                if seq is None:  # str.isdigit() would pass '²', which int() then refuses
                    raise InvalidInput(f"{path.name}:{number}: not an audit entry row")
                yield (seq, *[v or None for v in row[1:7]], row[7], row[8], row[9])
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                yield tuple(entry[c] for c in EXPORT_COLUMNS)
            except (ValueError, KeyError, TypeError):
                raise InvalidInput(f"{path.name}:{number}: not an audit entry line") from None
