from zhengxie.core.verdicts import VERDICT_ORDER, Verdict, quorum_met, satisfaction_rate, tally


def test_quorum_needs_more_than_half():
    assert not quorum_met(5, 10)
    assert quorum_met(6, 10)
    assert not quorum_met(0, 0)
    assert quorum_met(7, 10, percent=66)
    assert not quorum_met(6, 10, percent=60)


def test_tally_tie_goes_to_the_worse_and_unknown_never_wins():
    counts, result = tally([("satisfied", 3), ("unsatisfied", 3), ("unknown", 9)], VERDICT_ORDER)
    assert result == Verdict.UNSATISFIED
    assert counts["unknown"] == 9
    assert tally([("unknown", 4)], VERDICT_ORDER) == ({**{k: 0 for k in VERDICT_ORDER}, "unknown": 4}, "")


def test_satisfaction_rate_leaves_out_unknown():
    assert (
        satisfaction_rate({"satisfied": 2, "basically_satisfied": 1, "unsatisfied": 1, "unknown": 6}) == 75.0
    )
    assert satisfaction_rate({"unknown": 3}) is None
