"""Council-vote arithmetic (workflow.voting) against a Fraction reference.

The reference helpers below parse and compare shares independently of the module (Decimal and
Fraction, straight from the spelling), so a shared mistake would have to be made twice.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.voting import BASES, Counts, Share, VoteRule, decide, parse_share

MAX_COUNCIL = 60

INTEGER_PERCENTS = [f"{n}%" for n in range(1, 101)]
FRACTIONS = [f"{a}/{b}" for b in range(1, 13) for a in range(1, b + 1)]  # incl. unreduced 2/4
WORDS = ["majority", "all"]
DECIMAL_PERCENTS = ["66.67%", "66.66%", "33.33%", "50.5%", "50.0%", "99.9%", "0.5%", "100.00%"]
FINITE_FORMS = INTEGER_PERCENTS + FRACTIONS + WORDS + DECIMAL_PERCENTS

# Hypothesis deadlines trip on slow shared CI machines; these tests have no timing contract.
relaxed = settings(deadline=None)


# --- reference -----------------------------------------------------------------------------


def ref_share(text: str) -> tuple[Fraction, bool]:
    """(value, strict) of a share spelling, parsed without workflow.voting."""
    if text == "majority":
        return Fraction(1, 2), True
    if text == "all":
        return Fraction(1), False
    if text.endswith("%"):
        return Fraction(Decimal(text[:-1])) / 100, False
    a, b = text.split("/")
    return Fraction(int(a), int(b)), False


def ref_met(value: Fraction, strict: bool, count: int, base: int) -> bool:
    # An empty base meets any non-strict share (0 >= share*0) and no strict one; decide() is what
    # refuses to pass on an empty base.
    if base == 0:
        return not strict
    share = Fraction(count, base)
    return share > value if strict else share >= value


def ref_required(value: Fraction, strict: bool, base: int) -> int:
    """Smallest k in 0..base with Fraction(k, base) >= value (> when strict), else base+1."""
    return next((k for k in range(base + 1) if ref_met(value, strict, k, base)), base + 1)


# --- strategies ----------------------------------------------------------------------------


@st.composite
def decimal_percents(draw: st.DrawFn) -> str:
    """ "N.dd%" spellings with 1-4 decimals, from 0.0001% up to exactly 100.0000%."""
    places = draw(st.integers(1, 4))
    scaled = draw(st.integers(1, 100 * 10**places))
    whole, frac = divmod(scaled, 10**places)
    return f"{whole}.{frac:0{places}d}%"


share_texts = st.one_of(st.sampled_from(FINITE_FORMS), decimal_percents())
shares = share_texts.map(parse_share)
rules = st.builds(
    VoteRule,
    threshold=shares,
    basis=st.sampled_from(BASES),
    quorum=st.none() | shares,
)


@st.composite
def tallies(draw: st.DrawFn) -> Counts:
    """Any valid tally of a council of 0..60 members."""
    members = draw(st.integers(0, MAX_COUNCIL))
    recused = draw(st.integers(0, members))
    eligible = members - recused
    yes = draw(st.integers(0, eligible))
    no = draw(st.integers(0, eligible - yes))
    abstain = draw(st.integers(0, eligible - yes - no))
    present = draw(st.integers(0, yes + no + abstain))
    return Counts(members, yes, no, abstain, present, recused)


def base_of(basis: str, counts: Counts) -> int:
    return {"members": counts.members, "present": counts.present, "cast": counts.cast}[basis]


# --- known traps ---------------------------------------------------------------------------

TRAPS = [
    ("90%", 9, 9),
    ("90%", 23, 21),
    ("80%", 10, 8),
    ("80%", 15, 12),
    ("90%", 15, 14),
    ("majority", 10, 6),
    ("majority", 9, 5),
    ("2/3", 10, 7),
]


@pytest.mark.parametrize(("text", "members", "needs"), TRAPS)
def test_known_traps(text: str, members: int, needs: int) -> None:
    share = parse_share(text)
    assert share.required(members) == needs
    rule = VoteRule(share)
    just_enough = decide(rule, Counts(members, needs, members - needs, 0, members))
    one_short = decide(rule, Counts(members, needs - 1, members - needs + 1, 0, members))
    assert just_enough.passed, just_enough.reason
    assert not one_short.passed, one_short.reason
    assert just_enough.required_yes == one_short.required_yes == needs


# --- shares against the reference ----------------------------------------------------------


@pytest.mark.parametrize("text", FINITE_FORMS)
def test_every_finite_form_matches_reference_for_bases_0_to_60(text: str) -> None:
    share = parse_share(text)
    value, strict = ref_share(text)
    assert (Fraction(share.num, share.den), share.strict, share.text) == (value, strict, text)
    for base in range(MAX_COUNCIL + 1):
        assert share.required(base) == ref_required(value, strict, base), base
        for count in range(base + 1):
            assert share.met(count, base) == ref_met(value, strict, count, base), (count, base)


@relaxed
@given(text=decimal_percents(), base=st.integers(0, MAX_COUNCIL))
def test_decimal_percents_match_reference(text: str, base: int) -> None:
    share = parse_share(text)
    value, strict = ref_share(text)
    assert Fraction(share.num, share.den) == value
    assert not strict
    assert share.required(base) == ref_required(value, strict, base)
    for count in range(base + 1):
        assert share.met(count, base) == ref_met(value, strict, count, base)


@relaxed
@given(share=shares, base=st.integers(0, MAX_COUNCIL))
def test_required_is_the_threshold_of_met(share: Share, base: int) -> None:
    required = share.required(base)
    assert 0 <= required <= base + 1
    for count in range(base + 1):
        assert share.met(count, base) == (count >= required)


def test_decimal_percent_is_exact() -> None:
    share = parse_share("66.67%")
    assert (share.num, share.den, share.strict) == (6667, 10000, False)
    # 66.67% of 3 is 2.0001: two of three is not enough, unlike 2/3.
    assert share.required(3) == 3
    assert parse_share("2/3").required(3) == 2


def test_unreduced_fraction_keeps_its_spelling() -> None:
    share = parse_share("4/6")
    assert (share.num, share.den, share.text) == (2, 3, "4/6")


def test_strict_share_of_everything_cannot_be_met() -> None:
    share = Share(1, 1, True, "more than all")
    assert [share.required(n) for n in range(4)] == [1, 2, 3, 4]
    assert not share.met(3, 3)


@pytest.mark.parametrize(("num", "den"), [(0, 1), (2, 1), (1, 0), (-1, 2)])
def test_share_rejects_values_outside_0_to_1(num: int, den: int) -> None:
    with pytest.raises(ValueError, match="0 < num <= den"):
        Share(num, den, False, f"{num}/{den}")


# --- parse_share rejections ----------------------------------------------------------------

REJECTED: list[str | int] = [
    "0%",
    "101%",
    "120%",
    "100.01%",
    "0.0%",
    "3/2",
    "0/3",
    "0/0",
    "-1/2",
    "1/0",
    "abc",
    "80",
    "",
    "80 %",
    " 80%",
    "80%\n",
    "1 / 2",
    "+80%",
    "-5%",
    ".5%",
    "5.%",
    "1e2%",
    "80%%",
    "2/3/4",
    "1.5/2",
    "８０%",  # fullwidth digits: ASCII only
    "Majority",
    "ALL",
    "half",
    "9" * 50 + "/" + "9" * 50,
    80,
    True,
]


@pytest.mark.parametrize("text", REJECTED, ids=repr)
def test_parse_share_rejects(text: str | int) -> None:
    with pytest.raises(ValueError) as caught:
        parse_share(text)
    message = str(caught.value)
    assert message == (
        f"threshold {text!r} is not a share; use N% (0 < N <= 100), a/b (0 < a <= b), "
        "majority or all"
    )
    assert "\n" not in message


def test_parse_share_names_the_setting() -> None:
    with pytest.raises(ValueError, match=r"^quorum '0%' is not a share; use N%"):
        parse_share("0%", what="quorum")


# --- Counts and VoteRule validation --------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"members": -1, "yes": 0, "no": 0, "abstain": 0, "present": 0}, "members"),
        ({"members": 5, "yes": -1, "no": 0, "abstain": 0, "present": 0}, "yes"),
        ({"members": 5, "yes": 0, "no": 0, "abstain": 0, "present": 0, "recused": -1}, "recused"),
        ({"members": 5, "yes": 1, "no": 0, "abstain": 0, "present": 0, "recused": True}, "recused"),
        ({"members": 5, "yes": 3, "no": 2, "abstain": 1, "present": 0}, "6 ballots cast"),
        ({"members": 10, "yes": 8, "no": 0, "abstain": 0, "present": 8, "recused": 3}, "recused"),
        ({"members": 10, "yes": 3, "no": 1, "abstain": 0, "present": 5}, "present exceeds"),
    ],
)
def test_counts_reject_impossible_tallies(fields: dict[str, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Counts(**fields)


def test_vote_rule_rejects_unknown_basis() -> None:
    with pytest.raises(ValueError, match="members, present, cast"):
        VoteRule(parse_share("80%"), basis="voters")


# --- decide: examples ----------------------------------------------------------------------

EIGHTY = parse_share("80%")
TWO_THIRDS = parse_share("2/3")


@pytest.mark.parametrize(
    ("rule", "counts", "passed", "reason"),
    [
        (
            VoteRule(EIGHTY),
            Counts(10, 8, 2, 0, 10),
            True,
            "passed: 8 yes of 10 members, 80% needs 8",
        ),
        (
            VoteRule(EIGHTY),
            Counts(10, 7, 3, 0, 10),
            False,
            "failed: 7 yes of 10 members, 80% needs 8",
        ),
        (
            VoteRule(EIGHTY, quorum=TWO_THIRDS),
            Counts(10, 5, 0, 0, 5),
            False,
            "failed: quorum not met: 5 of 10 cast, 2/3 needs 7",
        ),
        (VoteRule(EIGHTY), Counts(10, 0, 0, 0, 0), False, "failed: no ballots cast"),
        (VoteRule(EIGHTY, basis="cast"), Counts(0, 0, 0, 0, 0), False, "failed: no ballots cast"),
        (
            VoteRule(EIGHTY, basis="present"),
            Counts(10, 9, 0, 0, 0),
            False,
            "failed: no ballots cast in person (9 in writing)",
        ),
        (
            VoteRule(parse_share("90%"), basis="present"),
            Counts(20, 9, 1, 0, 10),
            True,
            "passed: 9 yes of 10 present, 90% needs 9",
        ),
        (
            VoteRule(parse_share("majority"), basis="cast"),
            Counts(20, 5, 4, 1, 3),
            False,
            "failed: 5 yes of 10 cast, majority needs 6",
        ),
        # recused members stay on the roll: 8 of 10 still needed with 2 unable to vote …
        (
            VoteRule(EIGHTY),
            Counts(10, 8, 0, 0, 8, recused=2),
            True,
            "passed: 8 yes of 10 members, 80% needs 8",
        ),
        # … and with 3 recused the round cannot pass at all.
        (
            VoteRule(EIGHTY),
            Counts(10, 7, 0, 0, 7, recused=3),
            False,
            "failed: 7 yes of 10 members, 80% needs 8",
        ),
    ],
)
def test_decide_examples(rule: VoteRule, counts: Counts, passed: bool, reason: str) -> None:
    result = decide(rule, counts)
    assert (result.passed, result.reason) == (passed, reason)


def test_result_as_dict() -> None:
    result = decide(VoteRule(EIGHTY, quorum=TWO_THIRDS), Counts(10, 8, 1, 1, 9))
    assert result.as_dict() == {
        "passed": True,
        "quorum_met": True,
        "base": 10,
        "required_yes": 8,
        "quorum_required": 7,
        "reason": "passed: 8 yes of 10 members, 80% needs 8",
    }


# --- decide: properties --------------------------------------------------------------------


@relaxed
@given(rule=rules, counts=tallies())
def test_decide_matches_reference(rule: VoteRule, counts: Counts) -> None:
    result = decide(rule, counts)
    base = base_of(rule.basis, counts)
    threshold = Fraction(rule.threshold.num, rule.threshold.den), rule.threshold.strict
    quorum_met = rule.quorum is None or ref_met(
        Fraction(rule.quorum.num, rule.quorum.den), rule.quorum.strict, counts.cast, counts.members
    )
    expected = (
        quorum_met
        and counts.cast > 0
        and base > 0
        and counts.yes >= 1
        and ref_met(*threshold, counts.yes, base)
    )
    assert result.passed == expected
    assert result.quorum_met == quorum_met
    assert result.base == base
    assert result.required_yes == ref_required(*threshold, base)
    if rule.quorum is None:
        assert result.quorum_required is None
    else:
        assert result.quorum_required == rule.quorum.required(counts.members)


@relaxed
@given(rule=rules, counts=tallies())
def test_decide_result_is_consistent(rule: VoteRule, counts: Counts) -> None:
    result = decide(rule, counts)
    if result.passed:
        assert result.quorum_met
        assert counts.yes >= result.required_yes
        assert counts.yes >= 1
    if not result.quorum_met:
        assert not result.passed
        assert result.reason.startswith("failed: quorum not met: ")
    assert result.reason.startswith("passed: " if result.passed else "failed: ")
    assert "\n" not in result.reason
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()


@relaxed
@given(rule=rules, counts=tallies())
def test_decide_is_monotonic_in_yes(rule: VoteRule, counts: Counts) -> None:
    """Walk yes over every valid value, holding the rest: once it passes it stays passed."""
    lowest = max(0, counts.present - counts.no - counts.abstain)  # present <= cast must hold
    highest = counts.members - counts.recused - counts.no - counts.abstain
    outcomes = [decide(rule, replace(counts, yes=y)).passed for y in range(lowest, highest + 1)]
    first_pass = outcomes.index(True) if True in outcomes else len(outcomes)
    assert outcomes == [False] * first_pass + [True] * (len(outcomes) - first_pass)


@relaxed
@given(rule=rules, counts=tallies(), data=st.data())
def test_recused_members_stay_on_the_roll(
    rule: VoteRule, counts: Counts, data: st.DataObject
) -> None:
    """Recusing members who had not voted changes neither the base nor the quorum nor the result."""
    free_seats = counts.members - counts.recused - counts.cast
    more = replace(counts, recused=counts.recused + data.draw(st.integers(0, free_seats)))
    result = decide(rule, more)
    assert result == decide(rule, counts)
    if rule.basis == "members":
        assert result.base == counts.members


@relaxed
@given(rule=rules, counts=tallies())
def test_quorum_counts_ballots_over_the_whole_roll(rule: VoteRule, counts: Counts) -> None:
    """Quorum is cast over members, whatever the basis and however many are recused or absent."""
    quorum = rule.quorum or TWO_THIRDS
    result = decide(replace(rule, quorum=quorum), counts)
    assert result.quorum_met == quorum.met(counts.cast, counts.members)
    assert result.quorum_required == quorum.required(counts.members)
