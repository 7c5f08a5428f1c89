"""Hostile ids and numbers on every route and command: a clean 404, 422 or refusal, never a 500.

An id is written one way everywhere (``workflow.ids``): decimal digits, 1 … 2**31-1, what
both stores can bind. The web
test walks every route of the app (enumerated, not listed here, so a new route is covered the
day it is added), puts a hostile value into each path parameter and each number it takes from
the query string, a form or a JSON body, and sends it as the public, as signed-in staff and
as an auditor. The command line gets the same values in the commands that take ids.
"""

from __future__ import annotations

import functools
import logging
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import argon2
import pytest
from conftest import DIRECTORY, Cli, make_service
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from workflow.errors import NotFound
from workflow.ids import MAX_ID, decimal, parse_id
from workflow.service import Actor
from workflow.web import create_app

PASSWORD = "mat-khau-thu-nghiem"
INTEGER = re.compile(r"-?[0-9]{1,100}")
STAFF = "hung"  # secretariat of the province, signed in through the form
SCRIPT = "kiemtoan"  # the auditor, calling the API with HTTP Basic

# too big for a store, signed, spaced, another script's digits, huge, not a number at all
HOSTILE = (str(2**31), str(10**30), "-1", "0", "+1", " 1", "١", "x" * 10_000, "")
MORE = (str(2**32), str(2**63), str(10**19), str(2**64), "1_0", "1e5", "1.0", "²", "nguyễn/../1",
        "%00")


# ---- the id syntax --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1", "42", "007", str(MAX_ID)])
def test_an_id_is_plain_decimal_digits(text: str) -> None:
    assert parse_id(text, "nomination") == int(text)


@pytest.mark.parametrize("text", [*HOSTILE, *MORE, "99999999999999999999999", "1 ", "0x1",
                                  "1\n", "１"])
def test_anything_else_names_nothing(text: str) -> None:
    with pytest.raises(NotFound) as caught:
        parse_id(text, "nomination")
    assert caught.value.message.startswith("no nomination '")
    assert "\n" not in caught.value.message and len(caught.value.message) < 80


@given(st.text(max_size=30))
def test_decimal_agrees_with_the_grammar(text: str) -> None:
    plain = text != "" and all("0" <= ch <= "9" for ch in text)
    expected = int(text) if plain and int(text) <= MAX_ID else None
    assert decimal(text) == expected


# ---- every route ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    params: tuple[str, ...]  # path parameters
    query: tuple[str, ...]  # numbers in the query string
    form: dict[str, str]  # form fields: name → "number" | "text" | "file"
    body: dict[str, str] | None  # JSON body fields (None: the route takes no JSON body)


def _is_number(annotation: Any) -> bool:
    if annotation is int:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return int in typing.get_args(annotation)
    return False


def _kind(annotation: Any) -> str:
    if _is_number(annotation):
        return "number"
    return "file" if "UploadFile" in str(annotation) else "text"


def _walk(dependant: Any) -> Iterator[Any]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def routes(app: Any) -> list[Route]:
    """Every route with something to put a hostile value into."""
    found: list[Route] = []
    # app.routes holds each included router as one entry; this flattens them
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        parts = list(_walk(dependant)) if dependant is not None else []
        params = tuple(getattr(context, "param_convertors", {}))
        query = tuple(q.name for d in parts for q in d.query_params
                      if _is_number(q.field_info.annotation))
        form: dict[str, str] = {}
        body: dict[str, str] | None = None
        for field in (b for d in parts for b in d.body_params):
            model = field.field_info.annotation
            if isinstance(model, type) and issubclass(model, BaseModel):
                body = {name: "number" if _is_number(f.annotation) else
                        "dict" if typing.get_origin(f.annotation) is dict else "text"
                        for name, f in model.model_fields.items()}
            else:
                form[field.name] = _kind(field.field_info.annotation)
        numbers = query or "number" in form.values() or "number" in (body or {}).values()
        if not params and not numbers:
            continue
        for method in sorted(context.methods or ()):
            if method != "HEAD":
                found.append(Route(method, context.path, params, query, form, body))
    return found


@dataclass
class Site:
    app: Any
    item: str
    routes: list[Route]
    log: list[logging.LogRecord]

    def client(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=False)


class Kept(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@pytest.fixture
def site(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setattr(argon2, "PasswordHasher", functools.partial(
        argon2.PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
    service = make_service(db_url)
    service.setup.init()
    service.setup.load_directory(DIRECTORY)
    item = service.items.nominate(Actor("lan"), "khen-thuong-dot-xuat", "BN-SGD", "Lê Thị Hồng",
                                  None, {"deed": "Cứu người trong lũ"})["id"]
    for login in (STAFF, SCRIPT):
        service.accounts.set_password(login, PASSWORD)
    # no rate limit: each hostile value must reach the code that reads it
    app = create_app(service, secret_key="secret-for-tests", objection_limit=(10**9, 600.0))
    log: list[logging.LogRecord] = []
    handler = Kept(log)
    logger = logging.getLogger("workflow.web")
    logger.addHandler(handler)
    try:
        yield Site(app, item, routes(app), log)
    finally:
        logger.removeHandler(handler)
        service.deps.store.close()


@dataclass
class Visitor:
    name: str
    client: TestClient
    token: str
    auth: tuple[str, str] | None = None


def _token(client: TestClient) -> str:
    page = client.get("/login").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def people(site: Site) -> Iterator[list[Visitor]]:
    """The public, staff signed in through the form, and a script with HTTP Basic."""
    with site.client() as public, site.client() as staff, site.client() as script:
        response = staff.post("/login", data={"login": STAFF, "password": PASSWORD,
                                              "csrf_token": _token(staff), "next": "/me"},
                              follow_redirects=False)
        assert response.status_code == 303, response.text
        yield [Visitor("public", public, _token(public)), Visitor(STAFF, staff, _token(staff)),
               Visitor(SCRIPT, script, "", auth=(SCRIPT, PASSWORD))]


def _fill(kinds: dict[str, str], number: str) -> dict[str, Any]:
    return {name: number if kind == "number" else {} if kind == "dict" else "x"
            for name, kind in kinds.items() if kind != "file"}


def requests(route: Route, value: str, item: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The URL and request arguments that put ``value`` into the route: into every path
    parameter, then (with a real item in the path) into its numbers."""
    placements = [value]
    if route.query or "number" in route.form.values() or "number" in (route.body or {}).values():
        placements.append(item)
    for in_path in placements:
        path = route.path
        for name in route.params:
            path = path.replace(f"{{{name}}}", quote(in_path, safe=""))
        query = {name: value for name in route.query}
        if route.method == "GET":
            yield path, {"params": query}
            continue
        if in_path == value:
            yield path, {"params": query, "data": {}}  # an empty form
        if route.body is not None:
            body: dict[str, Any] = _fill(route.body, value)
            for name, kind in route.body.items():
                if kind == "number" and INTEGER.fullmatch(value):
                    body[name] = int(value)  # a JSON number, however large
            yield path, {"params": query, "json": body}
        else:
            files = {name: ("a.pdf", b"%PDF-1.4\n") for name, kind in route.form.items()
                     if kind == "file"}
            yield path, {"params": query, "data": _fill(route.form, value), "files": files}


def walk(site: Site, people: list[Visitor], value: str) -> int:
    sent = 0
    for route in site.routes:
        for visitor in people:
            if visitor.auth is not None and not route.path.startswith("/api/"):
                continue  # HTTP Basic is for the API
            for url, kwargs in requests(route, value, site.item):
                if "data" in kwargs and visitor.token:
                    kwargs["data"] = {**kwargs["data"], "csrf_token": visitor.token}
                if not kwargs.get("files"):
                    kwargs.pop("files", None)
                response = visitor.client.request(
                    route.method, url, headers={"X-CSRF-Token": visitor.token},
                    auth=visitor.auth, follow_redirects=False, **kwargs)
                sent += 1
                where = (visitor.name, route.method, route.path, value[:40], kwargs)
                assert response.status_code < 500, (where, response.text[:300])
                assert "Traceback" not in response.text and "Overflow" not in response.text
                assert not site.log, (where, [r.getMessage() for r in site.log])
    return sent


def test_the_walk_reaches_the_routes_that_take_ids(site: Site) -> None:
    paths = {(r.method, r.path) for r in site.routes}
    assert {("GET", "/nominees/{nomination_id}"), ("GET", "/notices/{notice_id}"),
            ("GET", "/api/nominees/{nomination_id}"), ("GET", "/"), ("GET", "/api/items"),
            ("POST", "/items/{nomination_id}/fire"), ("GET", "/audit/item"),
            ("POST", "/api/objections/{objection_id}/resolve")} <= paths
    fire = next(r for r in site.routes if r.path == "/api/items/{nomination_id}/fire")
    assert fire.body is not None and fire.body["expect_version"] == "number"


def test_hostile_values_on_every_route_are_never_a_server_error(site: Site,
                                                               people: list[Visitor]) -> None:
    for value in HOSTILE:
        assert walk(site, people, value) > 0


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(value=str(MAX_ID))
@example(value=str(MAX_ID + 1))
@given(value=st.one_of(st.sampled_from(MORE),
                       st.integers(min_value=-(2**80), max_value=2**80).map(str),
                       st.text(max_size=40)))
def test_any_value_on_every_route_is_never_a_server_error(site: Site, people: list[Visitor],
                                                         value: str) -> None:
    walk(site, people, value)


def test_out_of_range_numbers_in_the_query_are_invalid(site: Site) -> None:
    client = site.client()
    for url in ("/?before=99999999999999999999999", "/?before=%2B1", "/api/notices?limit=0",
                f"/api/notices?before={2**31}", f"/api/notices?before={2**63}",
                "/api/notices?limit=%D9%A1"):
        assert client.get(url).status_code == 422, url
    assert client.get(f"/api/notices?before={MAX_ID}&limit=1000").status_code == 200


def test_huge_and_signed_ids_in_a_path_are_not_found(site: Site) -> None:
    client = site.client()
    for url in ("/nominees/99999999999999999999999", "/notices/99999999999999999999999",
                "/notices/99999999999999999999999/document", "/api/nominees/%2B1",
                f"/api/notices/{2**64}", f"/nominees/{site.item}%20"):
        response = client.get(url)
        assert response.status_code == 404, url
    error = client.get("/api/nominees/" + "9" * 10_000).json()["error"]
    assert error["type"] == "NotFound" and len(error["message"]) < 100


# ---- the command line -----------------------------------------------------------------------

CLI_IDS = ("99999999999999999999999", str(2**31), "+1", "١")  # tried with every command
MORE_CLI_IDS = (str(2**63), " 1", "1_0", "²", "0", "9" * 10_000)  # with `show`


def test_commands_answer_a_bad_id_with_not_found(cli: Cli) -> None:
    item = cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee",
                  "Lê Thị Hồng", "--set", "deed=Cứu người trong lũ", user="lan")["id"]
    assert item == "1"  # so that "+1", " 1" and "١" would find it if they were read as 1
    commands = (("show", "{}"), ("audit", "log", "{}"), ("fire", "{}", "submit"),
                ("outbox", "--nomination", "{}"), ("notices", "--html", "{}"),
                ("resolve", "{}", "dismissed", "--comment", "x"),
                ("object", "{}", "--text", "x"), ("vote", "{}", "yes"))
    tries = [(bad, command) for bad in CLI_IDS for command in commands]
    tries += [(bad, ("show", "{}")) for bad in MORE_CLI_IDS]
    for bad, command in tries:
        args = [a.replace("{}", bad) for a in command]
        run = cli(*args, user="lan", json_out=False)
        assert run.exit_code == 5, (args[:2], bad[:40], run.stdout, run.stderr)
        line = run.stderr.strip()
        assert line.startswith("error: no ") and "\n" not in line and len(line) < 120, line
        assert "Traceback" not in run.stdout + run.stderr
    # a plain id with leading zeros is the same id
    assert cli.ok("show", "001")["id"] == item
    assert [e["action"] for e in cli.ok("audit", "log", "01")] == [
        e["action"] for e in cli.ok("audit", "log", item)]
