"""Concurrent and repeated accepts: distinct, gap-free numbers; a double click is a 409, never a second number.

The same-process double call runs on every engine. On PostgreSQL, real threads with their own
connections race each other; they must commit to see each other, so that test creates its own rows
in a side connection and removes them afterwards (restoring the session counter), leaving the shared
demo world as it was (append-only audit entries excepted).
"""

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from tests.threads import in_thread
from zhengxie.core.errors import Conflict
from zhengxie.core.models import Counter, Notification, User
from zhengxie.proposals import services
from zhengxie.proposals.models import Proposal, Signer

from .conftest import TEXT

MARK = "并发立案测试"


def test_double_call_accepts_once(user, proposal_in):
    p = proposal_in("submitted")
    tab1, tab2 = Proposal.objects.get(pk=p.pk), Proposal.objects.get(pk=p.pk)
    results = []
    for tab in (tab1, tab2):
        try:
            results.append(
                services.proposal_review(user=user("staff"), proposal=tab, decision="accept").number
            )
        except Conflict as exc:
            results.append(exc.status)
    assert results[1] == 409 and isinstance(results[0], int)
    assert Counter.objects.get(key=f"proposal:{p.session_id}").value == results[0]


def test_interleaved_accepts_number_in_order(user, proposal_in):
    ps = [proposal_in("submitted", author=a) for a in ("member1", "member2", "member3")]
    start = Counter.objects.get(key=f"proposal:{ps[0].session_id}").value
    for p in reversed(ps):
        services.proposal_review(user=user("staff"), proposal=p, decision="accept")
    assert sorted(p.number for p in ps) == [start + 1, start + 2, start + 3]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks across connections (PostgreSQL)"
)
def test_threads_racing_to_accept_get_distinct_gap_free_numbers(db):
    def setup():
        members = list(
            User.objects.filter(username__in=["member1", "member2", "member3"]).select_related("member")
        )
        author = members[0]
        session = author.member.organisation.session_set.get(is_current=True)
        key = f"proposal:{session.pk}"
        counter = Counter.objects.get_or_create(organisation=session.organisation, key=key)[0].value
        ids = []
        with transaction.atomic():
            for m in members:
                p = Proposal.objects.create(
                    organisation=session.organisation,
                    session=session,
                    author=m,
                    lead_member=m.member,
                    status="submitted",
                    kind="individual",
                    **{**TEXT, "title": f"{MARK}：{TEXT['title']}"},
                )
                Signer.objects.create(proposal=p, member=m.member, role="lead", status="agreed")
                ids.append(p.pk)
        return session.pk, key, counter, ids

    session_id, key, counter_before, ids = in_thread(setup)
    barrier = threading.Barrier(4)
    results = {}

    def accept(slot, pk):
        def go():
            staff = User.objects.select_related("organisation").get(username="staff")
            barrier.wait(10)
            try:
                p = services.proposal_review(user=staff, proposal=pk, decision="accept")
                results[slot] = ("ok", pk, p.number)
            except Conflict:
                results[slot] = ("conflict", pk, None)
            finally:
                connection.close()

        return threading.Thread(target=go)

    # two clicks on the first proposal, one each on the others, all at once
    threads = [accept(0, ids[0]), accept(1, ids[0]), accept(2, ids[1]), accept(3, ids[2])]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(results) == 4
        ok = [r for r in results.values() if r[0] == "ok"]
        assert sorted(r[0] for r in results.values()) == ["conflict", "ok", "ok", "ok"]
        assert sorted(r[2] for r in ok) == [counter_before + 1, counter_before + 2, counter_before + 3]
        assert {r[1] for r in ok} == set(ids)
        numbers = in_thread(lambda: dict(Proposal.objects.filter(pk__in=ids).values_list("pk", "number")))
        assert sorted(numbers.values()) == [counter_before + 1, counter_before + 2, counter_before + 3]
        assert in_thread(lambda: Counter.objects.get(key=key).value) == counter_before + 3
    finally:
        in_thread(lambda: _cleanup(ids, key, counter_before))
    assert in_thread(
        lambda: (Counter.objects.get(key=key).value, Proposal.objects.filter(pk__in=ids).count())
    ) == (counter_before, 0)


def _cleanup(ids, key, counter_before):
    from zhengxie.performance import scoring
    from zhengxie.performance.models import DutyRecord
    from zhengxie.search.services import remove_document

    with transaction.atomic():
        ct = ContentType.objects.get_for_model(Proposal)
        records = DutyRecord.objects.filter(source_ct=ct, source_id__in=[str(i) for i in ids])
        touched = {(r.member, r.year) for r in records.select_related("member")}
        records.delete()
        for member, year in touched:
            scoring.refresh_member(member, year)
        Notification.objects.filter(title__contains=MARK).delete()
        for pk in ids:
            remove_document(kind="proposal", object_id=pk)
        Proposal.objects.filter(pk__in=ids).delete()
        Counter.objects.filter(key=key).update(value=counter_before)
