"""core.datacache: kept figures under a data version that every committed write to a watched table renews
(ORM saves, QuerySet.update, bulk_create, raw SQL), computed afresh inside a transaction that wrote."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from zhengxie.core import datacache
from zhengxie.core.models import DataVersion
from zhengxie.proposals.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    """A compute function that counts its calls and answers the number of proposals."""
    seen = []

    def compute():
        seen.append(1)
        return Proposal.objects.count()

    compute.seen = seen
    return compute


def test_a_figure_is_computed_once_per_version(calls):
    cache.clear()
    first = datacache.cached("proposals", ("t", 1), calls)
    assert datacache.cached("proposals", ("t", 1), calls) == first
    assert len(calls.seen) == 1
    datacache.cached("proposals", ("t", 2), calls)  # other key parts: computed for themselves
    assert len(calls.seen) == 2


def test_each_kind_of_write_renews_the_version_on_commit(django_capture_on_commit_callbacks, calls):
    p = Proposal.objects.order_by("id").first()
    writes = [
        lambda: Proposal.objects.filter(pk=p.pk).update(title=p.title + "。"),  # QuerySet.update
        lambda: Proposal.objects.filter(pk=p.pk).update(title=p.title),
        lambda: p.save(update_fields=["title"]),  # Model.save
        lambda: connection.cursor().execute(  # raw SQL
            "UPDATE proposals_proposal SET title = title WHERE id = %s", [p.pk]
        ),
    ]
    for write in writes:
        before = datacache.version("proposals")
        with django_capture_on_commit_callbacks(execute=True):
            write()
        assert datacache.version("proposals") != before
    other = datacache.version("opinions")
    with django_capture_on_commit_callbacks(execute=True):
        Proposal.objects.filter(pk=p.pk).update(title=p.title)
    assert datacache.version("opinions") == other  # a kind whose tables were not written keeps its figures


def test_inside_a_transaction_that_wrote_the_figure_is_computed_afresh():
    cache.clear()
    seen = []

    def submitted():
        seen.append(1)
        return Proposal.objects.filter(status="submitted").count()

    n = datacache.cached("proposals", ("t",), submitted)
    p = Proposal.objects.filter(status="submitted").first()
    with transaction.atomic():
        Proposal.objects.filter(pk=p.pk).update(status="accepted")
        assert datacache.dirty("proposals")
        assert datacache.cached("proposals", ("t",), submitted) == n - 1
        transaction.set_rollback(True)
    # Rolled back to a savepoint, the transaction stays marked until it ends (computed afresh: right either
    # way); another transaction, e.g. the next request's, reads the kept figure again.
    assert datacache.cached("proposals", ("t",), submitted) == n
    assert len(seen) == 3


def test_a_missing_version_is_created_by_the_first_reader(calls):
    DataVersion.objects.filter(kind="proposals").delete()
    datacache._state(connection)["pending"].clear()  # (that delete is no write of the kind's tables)
    token = datacache.version("proposals")
    assert token and DataVersion.objects.get(kind="proposals").token == token


def test_an_unknown_kind_is_refused(calls):
    with pytest.raises(KeyError):
        datacache.cached("nothing-registered", ("t",), calls)


def test_writes_to_watched_tables_name_their_kinds():
    assert "proposals" in datacache.kinds_of("proposals_proposal")
    assert "proposals" in datacache.kinds_of("handling_assignment")
    assert "opinions" in datacache.kinds_of("opinions_adoption")
    assert datacache.kinds_of("core_apitoken") == frozenset()


def _version_reads(ctx) -> int:
    return sum(1 for q in ctx.captured_queries if "core_dataversion" in q["sql"] and "SELECT" in q["sql"])


def test_the_version_is_read_once_per_request_and_renewed_by_the_request_itself(
    django_capture_on_commit_callbacks,
):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test.utils import CaptureQueriesContext

    datacache.version("proposals")  # (created if missing)
    # As django.test.Client does: Django's own handlers would close the test's connection (on PostgreSQL
    # a real close, outside the test's transaction); only datacache's handlers are under test here.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.send(sender=None)
    try:
        with CaptureQueriesContext(connection) as ctx:
            first = datacache.version("proposals")
            assert datacache.version("proposals") == first
            datacache.version("opinions")
        assert _version_reads(ctx) == 2  # once per kind, not once per figure
        p = Proposal.objects.order_by("id").first()
        with django_capture_on_commit_callbacks(execute=True):  # the request's own committed write
            Proposal.objects.filter(pk=p.pk).update(title=p.title)
        renewed = datacache.version("proposals")
        assert renewed != first and renewed == DataVersion.objects.get(kind="proposals").token
    finally:
        request_finished.send(sender=None)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    # Between requests (a task, a command) nothing is memoised: another process's renewal is seen at once.
    DataVersion.objects.filter(kind="proposals").update(token="elsewhere")
    assert datacache.version("proposals") == "elsewhere"


def test_a_count_is_keyed_by_its_rows_not_by_its_columns_or_order():
    cache.clear()
    qs = Proposal.objects.filter(status="submitted")
    wide = qs.select_related("session", "author").order_by("-created_at")
    assert datacache._count_key(wide) == datacache._count_key(qs)  # one question, one key
    assert "created_at" not in datacache._count_key(wide)[0]  # no column, no ORDER BY compiled
    assert datacache._count_key(qs) != datacache._count_key(Proposal.objects.filter(status="accepted"))
    # Rows that are not one per proposal keep their whole SQL: two distinct lists never share a count.
    by_category = Proposal.objects.values("category").distinct()
    by_status = Proposal.objects.values("status").distinct()
    assert datacache._count_key(by_category) != datacache._count_key(by_status)
    assert datacache.count("proposals", by_category) == by_category.count()
    assert datacache.count("proposals", by_status) == by_status.count()
    assert datacache.count("proposals", wide) == qs.count()


def test_a_queryset_that_can_hold_no_row_counts_zero():
    """`.none()` (a 社情民意 queue asked by someone who is no 信息科) has no SQL to key on: 0, no error."""
    from django.db.models import Q

    assert datacache.count("proposals", Proposal.objects.none()) == 0
    assert datacache.count("proposals", Proposal.objects.filter(Q(pk__in=[]))) == 0
