"""Cluster rankings (cụm, khối thi đua): how the heads' papers become a leader — pure arithmetic.

At the final review the head of each member unit ranks the **candidates** (every member, or
the units tied in a run-off) other than their own unit, best first. A paper counts like a
Borda count with the round's ``c`` candidates: the unit a head puts first gets ``c - 1``
points, the next ``c - 2``, and so on (so a head who is not a candidate, in a run-off, gives
the last of their ``c`` units 0). Points are integers, never floats.

The box keeps each (unit, points) mark as a separate sealed ballot, so nothing stored joins
the marks of one paper, let alone a paper to its head; and since the position a mark stood at
is ``c - points``, the tally needs nothing else.

Order: the highest total leads. Ties are broken by the count of first places, then of second
places, and so on; units still equal share a rank. When two or more share the first rank the
cluster has **no leader** from this round: the organiser's secretariat opens a run-off among
them (no unit is ever chosen by lot or by name order).

Must not import anything outside the standard library and ``workflow.errors``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workflow.errors import InvalidInput

__all__ = ["Standing", "Tally", "marks", "tally"]


def marks(candidates: Sequence[str], own: str | None, paper: Sequence[str]
          ) -> list[tuple[str, int]]:
    """The (unit, points) marks of one paper, or InvalidInput naming what is wrong.

    ``paper`` must name every candidate except the head's own unit exactly once."""
    expected = [c for c in candidates if c != own]
    if own is not None and own in paper:
        raise InvalidInput(f"a head does not rank their own unit ({own}); rank: "
                           f"{', '.join(expected)}", msgid="cluster.ranks_self",
                           values={"unit": own})
    unknown = [u for u in paper if u not in candidates]
    if unknown:
        raise InvalidInput(f"{', '.join(unknown)} is not a candidate of this round; rank: "
                           f"{', '.join(expected)}", msgid="cluster.not_candidate",
                           values={"unit": unknown[0]})
    twice = sorted({u for u in paper if list(paper).count(u) > 1})
    if twice:
        raise InvalidInput(f"{', '.join(twice)} is ranked twice; rank each unit once",
                           msgid="cluster.ranked_twice", values={"unit": twice[0]})
    missing = [u for u in expected if u not in paper]
    if missing:
        raise InvalidInput(f"the paper leaves out {', '.join(missing)}; rank every one of: "
                           f"{', '.join(expected)}", msgid="cluster.paper_incomplete",
                           values={"unit": missing[0]})
    c = len(candidates)
    return [(unit, c - 1 - position) for position, unit in enumerate(paper)]


@dataclass(frozen=True)
class Standing:
    unit: str
    points: int
    places: tuple[int, ...]  # how many papers put the unit 1st, 2nd, … (c places)
    rank: int  # 1 = best; equal units share a rank


@dataclass(frozen=True)
class Tally:
    standings: tuple[Standing, ...]  # best first
    leader: str | None  # None when two or more share the first rank (or nothing was cast)
    tied: tuple[str, ...]  # the units sharing the first rank when there is no leader


def tally(candidates: Sequence[str], cast: Iterable[tuple[str, int]]) -> Tally:
    """Totals, ranks and the leader from every mark in the box."""
    c = len(candidates)
    points = dict.fromkeys(candidates, 0)
    places = {unit: [0] * c for unit in candidates}
    for unit, value in cast:
        if unit not in points or not 0 <= value <= c - 1:
            raise ValueError(f"mark ({unit!r}, {value}) does not belong to this round")
        points[unit] += value
        places[unit][c - 1 - value] += 1

    def key(unit: str) -> tuple[int, ...]:
        return (points[unit], *places[unit])

    order = sorted(candidates, key=lambda u: (tuple(-k for k in key(u)), u))
    standings: list[Standing] = []
    for index, unit in enumerate(order):
        if index and key(order[index - 1]) == key(unit):
            rank = standings[-1].rank
        else:
            rank = index + 1
        standings.append(Standing(unit, points[unit], tuple(places[unit]), rank))
    top = [s.unit for s in standings if s.rank == 1]
    nothing = not any(points.values()) and not any(any(p) for p in places.values())
    if nothing:
        return Tally(tuple(standings), None, ())
    if len(top) == 1:
        return Tally(tuple(standings), top[0], ())
    return Tally(tuple(standings), None, tuple(sorted(top)))
