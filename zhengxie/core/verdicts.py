"""Votes and ratings by a body of people (票决, 票评, 评议): one place for the quorum rule and the tally.

A vote of a body is valid only when more than a share (by default half) of those entitled took part; the
result of a rating is the most frequent answer, a tie going to the worse one. The four-grade 评议 scale
(满意 / 基本满意 / 不满意 / 不了解) is the one 民主监督 and 民主评议 rate units with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import models


class Verdict(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"
    UNKNOWN = "unknown", "不了解"


# From the best to the worst; 不了解 is no judgement and never wins a tally while another answer has votes.
VERDICT_ORDER = [Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED, Verdict.UNSATISFIED]


def quorum_met(voters: int, entitled: int, percent: int = 50) -> bool:
    """More than `percent` percent of the entitled took part (票决/评议 are valid only then)."""
    return entitled > 0 and voters * 100 > percent * entitled


def tally(pairs: Iterable[tuple[str, int]], order: Sequence[str]) -> tuple[dict[str, int], str]:
    """({answer: count} over `order`, the winning answer or ""): the most frequent answer of `order`, a tie
    going to the later (worse) one. Answers outside `order` (say 不了解) are counted but never win."""
    counts = {k: 0 for k in order}
    for answer, n in pairs:
        counts[answer] = counts.get(answer, 0) + n
    best = max((counts[k] for k in order), default=0)
    if not best:
        return counts, ""
    return counts, [k for k in order if counts[k] == best][-1]


def satisfaction_rate(counts: dict[str, int]) -> float | None:
    """满意率 in percent: (满意 + 基本满意) ÷ those who judged (不了解 left out); None with no judgement."""
    judged = sum(counts.get(k, 0) for k in VERDICT_ORDER)
    if not judged:
        return None
    good = counts.get(Verdict.SATISFIED, 0) + counts.get(Verdict.BASICALLY_SATISFIED, 0)
    return round(100 * good / judged, 1)
