"""The inbox page, the API inbox and the board read a few index entries, whatever the number of items:
the same number of SQL queries with 3 owed items as with 30 (proposals and a second kind mixed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.proposals.builders import build

from .helpers import days, item_case, new_handler, new_unit

pytestmark = pytest.mark.django_db

UNIT = "县查询局"


def _add(unit, n, start):
    for i in range(start, start + n):
        if i % 3 == 2:
            item_case(unit, title=f"查询样例事项{i}", label=f"T-{i}", deadline=days(i - 10))
        else:
            build(
                title=f"查询样例提案{i}",
                unit_name=UNIT,
                light="red" if i % 2 else "green",
                deadline=days(i - 10),
            )


def _count(client, path, params=None):
    client.get(path, params or {})  # warm: sessions, settings caches
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, params or {})
    assert r.status_code == 200, r.content.decode()[:500]
    return len(ctx.captured_queries), r


def _all(page, api, board, api_board, staff_api, where):
    return {
        "inbox page": _count(page, "/handling/"),
        "inbox page, red": _count(page, "/handling/", {"light": "red"}),
        "inbox page, one kind": _count(page, "/handling/", {"kind": "test_item"}),
        "api inbox": _count(api, "/api/v1/inbox"),
        "board": _count(board, "/handling/board/", where),
        "board, every unit": _count(board, "/handling/board/"),
        "board, every unit, red": _count(board, "/handling/board/", {"light": "red"}),
        "board, every unit, searched": _count(board, "/handling/board/", {"q": "查询样例"}),
        "api board": _count(api_board, "/api/v1/handling/board", where),
        "api board, every unit": _count(api_board, "/api/v1/handling/board"),
        "staff api inbox": _count(staff_api, "/api/v1/inbox", where),
        "staff api inbox, every unit": _count(staff_api, "/api/v1/inbox"),
        "unit figures": _count(board, "/handling/units/"),
        "api unit figures": _count(api_board, "/api/v1/handling/units"),
    }


def test_the_same_number_of_queries_with_3_and_with_30_items(client_for, api_for, user):
    unit = new_unit(UNIT, "查询局")
    new_handler("handlerq", unit)
    page, api, board = client_for("handlerq"), api_for("handlerq"), client_for("staff")
    api_board, staff_api = api_for("staff"), api_for("staff")
    where = {"unit": unit.pk}

    _add(unit, 3, 0)
    few = _all(page, api, board, api_board, staff_api, where)
    assert few["inbox page"][1].context["page_obj"].paginator.count == 3
    assert few["api inbox"][1].json()["count"] == 3

    _add(unit, 27, 3)
    many = _all(page, api, board, api_board, staff_api, where)
    assert many["inbox page"][1].context["page_obj"].paginator.count == 30
    assert len(many["inbox page"][1].context["page_obj"].object_list) == 20
    assert many["api inbox"][1].json()["count"] == 30 and len(many["api inbox"][1].json()["items"]) == 20
    assert many["board"][1].context["figures"]["totals"]["total"] == 30
    assert many["board, every unit"][1].context["page_obj"].paginator.count >= 30
    assert {k: v[0] for k, v in many.items()} == {k: v[0] for k, v in few.items()}
    # The board's figures give the number of rows (no COUNT); a search needs one.
    assert many["board, every unit, searched"][0] == many["board, every unit"][0] + 1
    # One kind needs a COUNT, and reads no proposals' 来源 (one query per kind on the page; the test kind
    # has none to read).
    assert many["inbox page, one kind"][0] == many["inbox page"][0] + 1 - 1
    # The board API reads the same with or without a unit.
    assert many["api board, every unit"][0] == many["api board"][0]
