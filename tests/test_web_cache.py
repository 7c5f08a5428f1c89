"""Public pages kept between requests (workflow.web.cache), on both stores: a visitor with no
session gets the page rendered once per version of the data, any audited change or a new
second of the clock renders it again, and nothing of a session is ever served from there."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import test_web_api
from test_web_api import Scene, sign_in

from workflow.service import PUBLIC

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
