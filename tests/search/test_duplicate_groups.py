"""疑似重复 groups join by average link (issue 17): an item joins a group only when it is close to the group as
a whole, so a chain A~B~C with A and C unrelated never ends in one group."""

from zhengxie.search.duplicates import link


def _sets(groups):
    return [set(g.ids) for g in groups]


def test_a_chain_through_one_member_is_not_one_group():
    # A~B 0.90 and B~C 0.80 (each alone would be a pair), A and C unrelated: single link made {A, B, C}
    lists = {1: [(2, 0.9)], 2: [(1, 0.9), (3, 0.8)], 3: [(2, 0.8)]}
    groups = link([1, 2, 3], lists, threshold=0.65)
    assert _sets(groups) == [{1, 2}]  # the closer pair; C's average against (A, B) is 0.4
    assert groups[0].score_of(1, 2) == 0.9 and groups[0].score_of(2, 3) is None


def test_a_long_chain_falls_apart_into_its_close_pairs():
    # 1~2~3~4~5~6, each neighbour 0.7-0.95, nothing else known: pairs, never one long group
    chain = [(1, 2, 0.95), (2, 3, 0.7), (3, 4, 0.9), (4, 5, 0.7), (5, 6, 0.85)]
    lists: dict[int, list] = {}
    for a, b, s in chain:
        lists.setdefault(a, []).append((b, s))
    groups = link([1, 2, 3, 4, 5, 6], lists, threshold=0.65)
    assert _sets(groups) == [{1, 2}, {3, 4}, {5, 6}]


def test_items_close_to_every_member_make_one_group():
    # 10, 11, 13 close to one another (one list is enough for a pair); 12 is close to 10 and 11 and weaker
    # to 13: its average against the three, (0.7 + 0.75 + 0.55) / 3 = 0.67, still joins it
    lists = {
        10: [(11, 0.9), (12, 0.7)],
        11: [(12, 0.75)],
        13: [(10, 0.9), (11, 0.8), (12, 0.55)],
    }
    groups = link([10, 11, 12, 13], lists, threshold=0.65)
    assert _sets(groups) == [{10, 11, 12, 13}]
    assert groups[0].ids == [10, 11, 12, 13]  # the caller's order
    assert groups[0].best_link(12) == 0.75


def test_a_weak_pair_below_the_threshold_keeps_an_item_out():
    # C is 0.7 to A but only 0.4 to B: its average against (A, B) is 0.55
    lists = {1: [(2, 0.95), (3, 0.7)], 2: [(3, 0.4)]}
    assert _sets(link([1, 2, 3], lists, threshold=0.65)) == [{1, 2}]


def test_buckets_and_references_as_before():
    # 1 and 2 in one session, 3 in another; 99 is not waiting (a past proposal): a reference of 1's group
    lists = {1: [(2, 0.8), (3, 0.9), (99, 0.7)], 2: [(99, 0.5)]}
    groups = link([1, 2, 3], lists, threshold=0.65, bucket={1: "s1", 2: "s1", 3: "s2"})
    assert _sets(groups) == [{1, 2}]
    assert groups[0].references == {99: 0.7}  # 2's 0.5 is below the threshold
