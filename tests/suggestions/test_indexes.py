"""The office's queue filtered by one status reads newest first through an index (sugg_status_idx),
without sorting all the status's rows: at 100,000 suggestions SQLite otherwise walked sugg_queue_idx per
organisation of the subtree and sorted (85 ms; bench/public_bench.py)."""

import pytest
from django.db import connection

from zhengxie.core.models import User
from zhengxie.suggestions import selectors
from zhengxie.suggestions.models import Suggestion

pytestmark = pytest.mark.django_db


def test_status_index_exists():
    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, Suggestion._meta.db_table)
    found = constraints.get("sugg_status_idx")
    assert found and found["index"] and found["columns"] == ["status", "id"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_queue_by_status_uses_the_status_index_without_sorting(county):
    office = User.objects.get(username="office")
    Suggestion.objects.bulk_create(
        [
            Suggestion(organisation=county, title=f"第{i}条", content="内容", consent=True, status="closed")
            for i in range(300)
        ]
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    plan = selectors.staff_list(office, status="closed")[:20].explain()
    assert "sugg_status_idx" in plan
    assert "TEMP B-TREE" not in plan
