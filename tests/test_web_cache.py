"""Pages kept between requests (workflow.web.cache), on both stores: a visitor with no session
gets a public page rendered once per version of the data, any audited change or a new second of
the clock renders it again, and nothing of a session is ever served from there; a signed-in
session's item page is kept for that session alone, under the same versions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import test_web_api
from test_web_api import Scene, csrf_of, post, sign_in

from workflow.service import PUBLIC, Actor

scene = test_web_api.scene  # the scene of the web tests, with its cheap password hashes
cheap_hashes = test_web_api.cheap_hashes


def _counting(scene: Scene) -> dict[str, int]:
    """Count the renders of the board and of a nominee page (the service reads behind them)."""
    public = scene.service.public
    calls = {"board": 0, "nominee": 0}
    board, nominee = public.board, public.nominee

    def counted_board(**kwargs: Any) -> Any:
        calls["board"] += 1
        return board(**kwargs)

    def counted_nominee(nomination_id: str) -> Any:
        calls["nominee"] += 1
        return nominee(nomination_id)

    public.board = counted_board  # type: ignore[method-assign]
    public.nominee = counted_nominee  # type: ignore[method-assign]
    return calls


def test_a_public_page_is_rendered_again_only_when_the_data_or_the_clock_moves(
        scene: Scene) -> None:
    calls = _counting(scene)
    d1 = scene.ids["D1"]
    with scene.client() as client:
        first = client.get(f"/nominees/{d1}")
        assert first.status_code == 200
        assert "award_session" not in first.headers.get("set-cookie", "")  # no session made
        again = client.get(f"/nominees/{d1}")
        assert again.text == first.text and calls["nominee"] == 1
        english = client.get(f"/nominees/{d1}?lang=en")  # another language, another page
        assert calls["nominee"] == 2 and english.text != first.text
        client.cookies.clear()
        # an audited change anywhere (here a public objection) is a new version of the data
        scene.service.items.file_objection(PUBLIC, d1, "Có ý kiến", None, None)
        client.get(f"/nominees/{d1}")
        assert calls["nominee"] == 3
        scene.clock.advance(timedelta(seconds=1))  # a window may have ended meanwhile
        client.get(f"/nominees/{d1}")
        assert calls["nominee"] == 4
        board = client.get("/")
        assert client.get("/").text == board.text and calls["board"] == 1


def test_the_window_ending_shows_within_a_second_with_no_change_to_the_data(
        scene: Scene) -> None:
    d1 = scene.ids["D1"]
    with scene.client() as client:
        open_ = client.get(f"/nominees/{d1}")
        assert f'href="/nominees/{d1}/object"' in open_.text
        scene.clock.advance(timedelta(days=400))
        closed = client.get(f"/nominees/{d1}")
    assert f'href="/nominees/{d1}/object"' not in closed.text


def test_a_visitor_with_a_session_or_credentials_is_never_served_a_kept_page(
        scene: Scene) -> None:
    calls = _counting(scene)
    d1 = scene.ids["D1"]
    with scene.client() as client:
        sign_in(client, "lan")
        signed = [client.get(f"/nominees/{d1}") for _ in range(2)]
        assert calls["nominee"] == 2
        assert all("(lan)" in page.text for page in signed)  # who is signed in, in the header
    with scene.client() as client:
        client.get("/", auth=("lan", test_web_api.PASSWORD))
        client.get("/", auth=("lan", test_web_api.PASSWORD))
        assert calls["board"] == 2
        anonymous = client.get(f"/nominees/{d1}")
    assert calls["nominee"] == 3 and "(lan)" not in anonymous.text


def _counting_items(scene: Scene) -> list[str]:
    """The logins an item page was rendered for (one service read per render)."""
    staff = scene.service.staff
    seen: list[str] = []
    item_view = staff.item_view

    def counted(actor: Any, nomination_id: str) -> Any:
        seen.append(actor.login)
        return item_view(actor, nomination_id)

    staff.item_view = counted  # type: ignore[method-assign]
    return seen


def test_an_item_page_is_kept_for_its_session_until_the_data_or_the_clock_moves(
        scene: Scene) -> None:
    seen = _counting_items(scene)
    a = scene.ids["A"]
    with scene.client() as client:
        token = sign_in(client, "lan")
        first = client.get(f"/items/{a}")
        assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
        assert client.get(f"/items/{a}").text == first.text and seen == ["lan"]
        english = client.get(f"/items/{a}?lang=en")  # another language, another page
        assert len(seen) == 2 and english.text != first.text
        assert client.get(f"/items/{a}?lang=vi").text == first.text and len(seen) == 3
        # an audited change by someone else (a member votes) is a new version of the data
        scene.service.items.vote(Actor("hoa"), a, "no")
        after = client.get(f"/items/{a}")
        assert len(seen) == 4 and after.text != first.text
        scene.clock.advance(timedelta(seconds=1))  # an action's time may have come meanwhile
        assert client.get(f"/items/{a}").text == after.text and len(seen) == 5
        # the person is looked up before any kept page: a signed-out session gets none
        assert post(client, "/logout", token).status_code == 303
        gone = client.get(f"/items/{a}", follow_redirects=False)
        assert gone.status_code == 303 and "/login" in gone.headers["location"]
        assert len(seen) == 5


def test_a_kept_item_page_is_never_shown_to_another_session(scene: Scene) -> None:
    seen = _counting_items(scene)
    a = scene.ids["A"]
    pages: dict[str, str] = {}
    tokens: dict[str, str] = {}
    for who, login in (("lan", "lan"), ("thu", "thu"), ("lan again", "lan")):
        with scene.client() as client:
            tokens[who] = sign_in(client, login)
            pages[who] = client.get(f"/items/{a}").text
            assert client.get(f"/items/{a}").text == pages[who]
    # each session had its own render, with its own name and its own CSRF token in the forms
    assert seen == ["lan", "thu", "lan"]
    assert "(thu)" in pages["thu"] and "(lan)" not in pages["thu"]
    assert "(lan)" in pages["lan"] and "(thu)" not in pages["lan"]
    for who, page in pages.items():
        others = [t for w, t in tokens.items() if w != who]
        assert tokens[who] in page and not any(t in page for t in others)


def test_a_flash_message_is_shown_once_on_an_item_page_and_never_kept(scene: Scene) -> None:
    seen = _counting_items(scene)
    a = scene.ids["A"]
    with scene.client() as client:
        token = csrf_of(client.get("/login").text)
        signed = post(client, "/login", token, login="lan", password=test_web_api.PASSWORD,
                      next=f"/items/{a}")
        assert signed.status_code == 303 and signed.headers["location"] == f"/items/{a}"
        welcome = client.get(f"/items/{a}").text
        plain = client.get(f"/items/{a}").text
        again = client.get(f"/items/{a}").text
    assert 'class="flash"' in welcome and 'class="flash"' not in plain
    assert again == plain and seen == ["lan", "lan"]


def test_a_kept_page_is_answered_without_a_worker_thread_on_sqlite(
        scene: Scene, monkeypatch: Any) -> None:
    """On a local database a kept page — public, or a session's item page with the session
    read — is answered on the event loop; only a render goes to a worker thread (on
    PostgreSQL every read does, as a read crosses the network)."""
    import workflow.web.cache
    import workflow.web.deps

    handed: list[str] = []
    for module in (workflow.web.cache, workflow.web.deps):
        original = module.run_in_threadpool

        async def counted(fn: Any, *args: Any, _original: Any = original,
                          _name: str = module.__name__, **kwargs: Any) -> Any:
            handed.append(_name)
            return await _original(fn, *args, **kwargs)

        monkeypatch.setattr(module, "run_in_threadpool", counted)
    local = scene.service.local
    a, d1 = scene.ids["A"], scene.ids["D1"]
    with scene.client() as client:
        for path in ("/", f"/nominees/{d1}"):
            first = client.get(path)
            assert first.status_code == 200 and handed == ["workflow.web.cache"]  # rendered
            handed.clear()
            assert client.get(path).text == first.text
            assert handed == ([] if local else ["workflow.web.cache"])
            handed.clear()
        sign_in(client, "lan")
        first = client.get(f"/items/{a}")
        handed.clear()
        assert client.get(f"/items/{a}").text == first.text
        assert handed == ([] if local else ["workflow.web.deps", "workflow.web.cache"])
