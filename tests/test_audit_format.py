"""The chain's canonical entry head is exactly the JSON array the chain is defined over, also
for the fast path a million-entry verify relies on; the inlined link of a stretch check is the
chain's link."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.chain import GENESIS, check_stretch, head
from workflow.store.audit import Chain

TEXT = st.none() | st.text()
ODD = st.none() | st.text() | st.integers() | st.booleans() | st.floats(allow_nan=False)


def _json(values: list[object]) -> str:
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False)


@settings(max_examples=500, deadline=None)
@given(st.integers(), st.lists(TEXT, min_size=6, max_size=6))
def test_fast_head_is_the_json_array(seq: int, rest: list[str | None]) -> None:
    assert head(seq, *rest) == _json([seq, *rest])


@settings(max_examples=300, deadline=None)
@given(st.lists(ODD, min_size=7, max_size=7))
def test_tampered_types_still_hash_as_json(values: list[object]) -> None:
    # SQLite keeps whatever type a tamperer writes; the head must still be the JSON array
    assert head(*values) == _json(values)


ROW = st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, st.text())


@settings(max_examples=200, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=5), st.none() | st.text(min_size=1),
       st.lists(ODD, min_size=6, max_size=6), st.data())
def test_a_stretch_check_links_as_the_chain_does(
        rows: list[tuple[object, ...]], key: str | None, odd: list[object],
        data: st.DataObject) -> None:
    chain = Chain(key)
    stored, prev = [], GENESIS
    for seq, (at, actor, action, nom, frm, to, payload) in enumerate(rows, start=1):
        digest = chain.link(prev, seq, at, actor, action, nom, frm, to, payload)  # type: ignore[arg-type]
        stored.append((seq, at, actor, action, nom, frm, to, payload, prev, digest))
        prev = digest
    assert check_stretch(stored, chain.key, 1, {}) == (len(rows), GENESIS, prev)
    # any stored value of another type still hashes as the JSON array (or is not clean)
    k = data.draw(st.integers(0, len(rows) - 1))
    row = list(stored[k])
    row[1:7] = odd
    row[9] = chain.link(row[8], row[0], *odd, row[7])
    stored[k] = tuple(row)
    if k + 1 < len(stored):  # the next entry links to the new hash
        after = stored[k + 1]
        stored[k + 1] = (*after[:8], row[9], chain.link(row[9], *after[:8]))
    found = check_stretch(stored[:k + 2], chain.key, 1, {})
    assert found is not None and found[0] == min(k + 2, len(rows))
    # an edited value is never clean
    edited = list(stored[k])
    edited[7] = str(edited[7]) + " "
    assert check_stretch([*stored[:k], tuple(edited)], chain.key, 1, {}) is None
