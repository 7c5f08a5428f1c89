"""The chain's canonical entry head is exactly the JSON array the chain is defined over, also
for the fast path a million-entry verify relies on."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.store.audit import _head

TEXT = st.none() | st.text()
ODD = st.none() | st.text() | st.integers() | st.booleans() | st.floats(allow_nan=False)


def _json(values: list[object]) -> str:
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False)


@settings(max_examples=500, deadline=None)
@given(st.integers(), st.lists(TEXT, min_size=6, max_size=6))
def test_fast_head_is_the_json_array(seq: int, rest: list[str | None]) -> None:
    assert _head(seq, *rest) == _json([seq, *rest])


@settings(max_examples=300, deadline=None)
@given(st.lists(ODD, min_size=7, max_size=7))
def test_tampered_types_still_hash_as_json(values: list[object]) -> None:
    # SQLite keeps whatever type a tamperer writes; the head must still be the JSON array
    assert _head(*values) == _json(values)
