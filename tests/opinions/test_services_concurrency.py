"""Issue numbers of 《社情民意》 under concurrent composing: distinct and gap-free per organisation and year.

The same-process checks run on every engine. On PostgreSQL, real threads with their own connections race
each other; they must commit to see each other, so that test creates its own accepted items in a side
connection and removes them afterwards (restoring the counter), leaving the shared demo world as it was
(append-only audit entries excepted). On SQLite the writers are serialised by the database lock anyway
(core.numbering), so the threaded race is skipped there, as for proposals.
"""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.threads import in_thread
from zhengxie.core.errors import Conflict, Invalid
from zhengxie.core.models import Counter, User
from zhengxie.opinions import services
from zhengxie.opinions.models import Opinion, OpinionAuthor, OpinionIssue

MARK = "并发编刊测试"


def _key() -> str:
    return f"opinions.issue.{timezone.localdate().year}"


def _counter(org) -> int:
    return Counter.objects.filter(organisation=org, key=_key()).values_list("value", flat=True).first() or 0


def test_interleaved_issues_number_in_order_and_a_refused_one_uses_no_number(user, opinion_in):
    info = user("info")
    a, b, c = (opinion_in("accepted", author=m) for m in ("member1", "member2", "member3"))
    start = _counter(a.organisation)
    i1 = services.issue_create(user=info, kind="special", opinion_ids=[c.pk], signer="陈志远")
    # refused (b is fine, a draft is not): no number used
    draft = opinion_in("draft")
    with pytest.raises(Invalid):
        services.issue_create(user=info, kind="digest", opinion_ids=[b.pk, draft.pk])
    assert _counter(a.organisation) == start + 1
    i2 = services.issue_create(user=info, kind="digest", opinion_ids=[a.pk, b.pk])
    assert (i1.number, i2.number) == (start + 1, start + 2)
    # the same item twice, as from two tabs: the second is a 409 and uses no number
    with pytest.raises(Conflict):
        services.issue_create(user=info, kind="special", opinion_ids=[a.pk])
    assert _counter(a.organisation) == start + 2
    numbers = sorted(
        OpinionIssue.objects.filter(organisation=a.organisation, year=i1.year).values_list(
            "number", flat=True
        )
    )
    assert numbers == list(range(1, start + 3))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks across connections (PostgreSQL)"
)
def test_threads_composing_issues_at_once_get_distinct_gap_free_numbers(db):
    n = 5

    def setup():
        info = User.objects.select_related("organisation").get(username="info")
        member = User.objects.select_related("member").get(username="member1").member
        org = info.organisation
        before = _counter(org)
        now = timezone.now()
        ids = []
        with transaction.atomic():
            for k in range(n):
                o = Opinion.objects.create(
                    organisation=org,
                    year=now.year,
                    title=f"{MARK}{k}：关于加强农村养老服务的建议",
                    content="农村留守老人多，养老服务供给不足。",
                    status=Opinion.Status.ACCEPTED,
                    created_by=info,
                    submitted_at=now,
                    reviewed_at=now,
                )
                Opinion.objects.filter(pk=o.pk).update(root=o)
                OpinionAuthor.objects.create(opinion=o, member=member)
                ids.append(o.pk)
        return org.pk, before, ids

    org_id, before, ids = in_thread(setup)
    barrier = threading.Barrier(n + 1)
    results = {}

    def compose(slot, pk):
        def go():
            info = User.objects.select_related("organisation").get(username="info")
            barrier.wait(10)
            try:
                i = services.issue_create(user=info, kind="special", opinion_ids=[pk], signer="陈志远")
                results[slot] = ("ok", pk, i.number)
            except Conflict:
                results[slot] = ("conflict", pk, None)
            finally:
                connection.close()

        return threading.Thread(target=go)

    # one issue per item, all at once, and a second click on the first item
    threads = [compose(k, pk) for k, pk in enumerate(ids)] + [compose(n, ids[0])]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(results) == n + 1
        ok = [r for r in results.values() if r[0] == "ok"]
        assert sorted(r[0] for r in results.values()) == ["conflict"] + ["ok"] * n
        assert sorted(r[2] for r in ok) == list(range(before + 1, before + n + 1))
        assert {r[1] for r in ok} == set(ids)

        def stored():
            org = OpinionIssue.objects.filter(organisation_id=org_id, year=timezone.localdate().year)
            return sorted(org.values_list("number", flat=True)), Counter.objects.get(
                organisation_id=org_id, key=_key()
            ).value

        numbers, counter = in_thread(stored)
        assert numbers == list(range(1, before + n + 1)) and counter == before + n
    finally:
        in_thread(lambda: _cleanup(org_id, ids, before))
    assert in_thread(lambda: (_counter(org_id), Opinion.objects.filter(pk__in=ids).count())) == (before, 0)


def _cleanup(org_id, ids, before):
    with transaction.atomic():
        issues = list(OpinionIssue.objects.filter(items__pk__in=ids).values_list("pk", flat=True).distinct())
        Opinion.objects.filter(pk__in=ids).update(issue=None)
        OpinionIssue.objects.filter(pk__in=issues).delete()
        Opinion.objects.filter(pk__in=ids).update(root=None)
        Opinion.objects.filter(pk__in=ids).delete()
        Counter.objects.filter(organisation_id=org_id, key=_key()).update(value=before)
