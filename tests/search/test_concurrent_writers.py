"""Two transactions indexing different documents of the same kind do not wait for each other: document
frequencies are inserted as delta rows, never updated in place (issue 16: every proposal write used to
queue on the kind's counter row)."""

import threading

import pytest
from django.db import connection, transaction

from tests.threads import in_thread
from zhengxie.search.services import index_document

KIND = "zz_concurrency"


class _Rollback(Exception):
    pass


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections (PostgreSQL)")
def test_a_second_writer_does_not_wait_for_an_open_indexing_transaction(db):
    org_id = connection.cursor().execute("SELECT id FROM core_organisation LIMIT 1").fetchone()[0]
    first_indexed, second_done = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                index_document(
                    kind=KIND, object_id=1, organisation_id=org_id, title="关于养老服务的建议", body=""
                )
                first_indexed.set()
                assert second_done.wait(20), "the second writer did not finish while the first was open"
                raise _Rollback
        except _Rollback:
            return "rolled back"

    def second():
        assert first_indexed.wait(20)
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL lock_timeout = '3s'")
                index_document(
                    kind=KIND, object_id=2, organisation_id=org_id, title="关于养老服务的意见", body=""
                )
                raise _Rollback
        except _Rollback:
            return "indexed without waiting"
        finally:
            second_done.set()

    box = {}
    t = threading.Thread(target=lambda: box.setdefault("first", in_thread(first)))
    t.start()
    assert in_thread(second) == "indexed without waiting"
    t.join(30)
    assert box["first"] == "rolled back"
