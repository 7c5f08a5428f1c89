"""Council-vote arithmetic: shares, quorum and the pass/fail decision of a ballot round.

A share such as ``80%``, ``2/3``, ``majority`` or ``all`` is held as an exact fraction and every
comparison is done by cross-multiplying integers (``count*den >= num*base``): 90% of 23 members
is 20.7, so 21 yes votes are needed, with no float anywhere to round it the wrong way.

Nothing here knows about councils, people or the store: callers hand in a :class:`VoteRule` and
frozen :class:`Counts` and get a :class:`Result` whose ``reason`` and ``as_dict()`` go straight
into messages and the audit.

Errors are plain :class:`ValueError` with a one-line message; the flow loader turns a bad share
into a located ``Problem``, and bad counts are a programming error in the caller.

Must not import anything outside the standard library (and never a float).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["BASES", "Counts", "Result", "Share", "VoteRule", "decide", "parse_share"]

BASES = ("members", "present", "cast")

_FORMS = "use N% (0 < N <= 100), a/b (0 < a <= b), majority or all"
# Strict on purpose: no spaces, no signs, no exponents, ASCII digits only ("\d" would take
# other scripts' digits). YAML has already stripped surrounding whitespace.
_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)%")
_RATIO = re.compile(r"([0-9]+)/([0-9]+)")
# Longer than any sane share; keeps int() away from thousand-digit inputs.
_MAX_LEN = 40


@dataclass(frozen=True)
class Share:
    """A required share: ``count/base >= num/den``, or ``> num/den`` when ``strict`` ("majority").

    ``text`` is the spelling from the flow file, kept for messages and the audit.
    """

    num: int
    den: int
    strict: bool
    text: str

    def __post_init__(self) -> None:
        if not (self.den > 0 and 0 < self.num <= self.den):
            raise ValueError(f"share {self.num}/{self.den} must satisfy 0 < num <= den")

    def met(self, count: int, base: int) -> bool:
        """Whether ``count`` out of ``base`` reaches the share (a base of 0 meets any non-strict
        share: callers decide what an empty base means)."""
        lhs, rhs = count * self.den, self.num * base
        return lhs > rhs if self.strict else lhs >= rhs

    def required(self, base: int) -> int:
        """The smallest count in ``0..base`` that meets the share; ``base + 1`` if none does."""
        product = self.num * base
        # Ceiling division for ">=", floor + 1 for ">" — both exact on integers.
        need = product // self.den + 1 if self.strict else -(-product // self.den)
        return min(need, base + 1)


def parse_share(text: str | int, *, what: str = "threshold") -> Share:
    """Parse a share as written in a flow file.

    Accepts ``N%`` (integer or decimal N, ``0 < N <= 100``), ``a/b`` (integers, ``0 < a <= b``),
    ``majority`` (strictly more than half) and ``all`` (every one). An ``int`` is accepted only so
    that a bare YAML number (``threshold: 80``) gets the same message as any other bad spelling.
    ``what`` names the setting in that message (``"threshold"``, ``"quorum"``).
    """
    bad = ValueError(f"{what} {text!r} is not a share; {_FORMS}")
    if not isinstance(text, str) or len(text) > _MAX_LEN:
        raise bad
    if text == "majority":
        return Share(1, 2, True, text)
    if text == "all":
        return Share(1, 1, False, text)
    if match := _PERCENT.fullmatch(text):
        # Fraction parses the decimal string exactly: "66.67" -> 6667/100.
        value = Fraction(match.group(1)) / 100
    elif match := _RATIO.fullmatch(text):
        num, den = int(match.group(1)), int(match.group(2))
        if den == 0:
            raise bad
        value = Fraction(num, den)
    else:
        raise bad
    if not 0 < value <= 1:
        raise bad
    return Share(value.numerator, value.denominator, False, text)


@dataclass(frozen=True)
class VoteRule:
    """How a round is decided: ``threshold`` of the ``basis``, after an optional ``quorum``.

    ``quorum`` is a share of the whole roll (``Counts.members``) that must *cast* a ballot;
    ``presence`` a share of the roll that must vote *in person* (written ballots of absent
    members do not count toward it) — e.g. the central council's hero sessions need ≥90% of
    members present and ≥90% yes.
    """

    threshold: Share
    basis: str = "members"
    quorum: Share | None = None
    presence: Share | None = None

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise ValueError(f"basis {self.basis!r} is not one of {', '.join(BASES)}")


@dataclass(frozen=True)
class Counts:
    """A closed round's tally.

    ``members`` is the roll frozen when the round opened; recused members stay on it (they count
    in the ``members`` base) but cannot vote. ``present`` counts ballots cast in person, i.e. not
    the written ballots of absent members.
    """

    members: int
    yes: int
    no: int
    abstain: int
    present: int
    recused: int = 0
    #: Yes ballots cast in person; the ``present`` basis counts only these (written yes votes
    #: of absent members must not enter an in-person share). ``None``: all yes were in person.
    present_yes: int | None = None

    def __post_init__(self) -> None:
        for name in ("members", "yes", "no", "abstain", "present", "recused"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"counts: {name} must be a non-negative integer, got {value!r}")
        if self.cast > self.members - self.recused:
            raise ValueError(
                f"counts: {self.cast} ballots cast but only {self.members - self.recused} "
                f"of {self.members} members may vote ({self.recused} recused)"
            )
        if self.present > self.cast:
            raise ValueError(f"counts: {self.present} present exceeds {self.cast} ballots cast")
        if self.present_yes is not None and not 0 <= self.present_yes <= min(self.yes,
                                                                             self.present):
            raise ValueError(f"counts: present_yes {self.present_yes} must be between 0 and "
                             f"min(yes, present) = {min(self.yes, self.present)}")

    @property
    def cast(self) -> int:
        """Ballots cast, in person or in writing: ``yes + no + abstain``."""
        return self.yes + self.no + self.abstain


@dataclass(frozen=True)
class Result:
    """The decision of a round.

    ``base`` is the denominator used (members, present or cast); ``required_yes`` is what the
    threshold alone needs over it (passing also needs a quorum, a non-empty base and one yes);
    ``quorum_required`` is the ballots the quorum needed, ``None`` without a quorum.
    """

    passed: bool
    quorum_met: bool
    base: int
    required_yes: int
    quorum_required: int | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly, for audit payloads."""
        return {
            "passed": self.passed,
            "quorum_met": self.quorum_met,
            "base": self.base,
            "required_yes": self.required_yes,
            "quorum_required": self.quorum_required,
            "reason": self.reason,
        }


def decide(rule: VoteRule, counts: Counts) -> Result:
    """Decide a round: quorum first (cast over members), then the threshold over the basis.

    A round with no ballots can never pass, nor can one whose base is empty (``present`` basis
    with only written ballots): a share of nothing is not a decision.
    """
    quorum_met, quorum_required = True, None
    if rule.quorum is not None:
        quorum_required = rule.quorum.required(counts.members)
        quorum_met = rule.quorum.met(counts.cast, counts.members)
    base = {"members": counts.members, "present": counts.present, "cast": counts.cast}[rule.basis]
    yes = counts.yes
    if rule.basis == "present" and counts.present_yes is not None:
        yes = counts.present_yes
    share = rule.threshold
    required = share.required(base)
    tally = f"{yes} yes of {base} {rule.basis}, {share.text} needs {required}"

    presence_met = rule.presence is None or rule.presence.met(counts.present, counts.members)
    passed = False
    if rule.quorum is not None and not quorum_met:
        reason = (
            f"failed: quorum not met: {counts.cast} of {counts.members} cast, "
            f"{rule.quorum.text} needs {quorum_required}"
        )
    elif rule.presence is not None and not presence_met:
        quorum_met = False  # a presence requirement is a quorum of those in the room
        reason = (
            f"failed: presence not met: {counts.present} of {counts.members} present, "
            f"{rule.presence.text} needs {rule.presence.required(counts.members)}"
        )
    elif counts.cast == 0:
        reason = "failed: no ballots cast"
    elif base == 0:
        reason = f"failed: no ballots cast in person ({counts.cast} in writing)"
    elif yes >= 1 and share.met(yes, base):
        passed = True
        reason = f"passed: {tally}"
    else:
        reason = f"failed: {tally}"
    return Result(passed, quorum_met, base, required, quorum_required, reason)
