"""Helpers of the handling spine's tests: a second kind of routed item, fresh units and users, and what
the data says a unit owes (read straight from the rows, to compare with the pages)."""

from __future__ import annotations

import datetime
import itertools
import re
from collections import Counter

from django.utils import timezone

from zhengxie.core import demo
from zhengxie.core.models import HandlingUnit, Office, Organisation, Role, User
from zhengxie.handling import kinds, services
from zhengxie.handling.models import Assignment, Case

# A second kind of routed item, next to proposals (idempotent: a kind registered twice keeps the first).
TEST_KIND = kinds.register(
    kinds.Kind(
        name="test_item",
        label="测试事项",
        prefix="testitem",
        url=lambda c: "/x/",
        may_view=lambda c, u: True,
        office="proposal",
    )
)

_object_ids = itertools.count(900_000)


def county() -> Organisation:
    return Organisation.objects.get(code="demo-county")


def county2() -> Organisation:
    """石门区政协, the other county (the demo's `other` is a member there)."""
    return Organisation.objects.get(code="demo-county-2")


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def new_unit(name="县测试局", short_name="测试局", org=None) -> HandlingUnit:
    return HandlingUnit.objects.create(
        organisation=org or county(), name=name, short_name=short_name, order=99
    )


def new_user(username, roles, *, org=None, **extra) -> User:
    return demo.make_user(username, username, org or county(), roles, **extra)


def new_handler(username, unit, *, head=False) -> User:
    return new_user(username, [Role.UNIT_HEAD if head else Role.UNIT_HANDLER], handling_unit=unit)


def other_county_staff() -> User:
    """提案科 staff of 石门区政协: the same office as `staff`, one county over."""
    return new_user("shimenstaff", [Role.STAFF], org=county2(), office=Office.PROPOSAL)


def item_case(unit, *, title="测试事项：村道路灯维修", deadline=None, label="T-1", status="open", org=None):
    """A case of the test kind assigned to `unit` (主办), in handling; the spine's copies synced."""
    staff = User.objects.get(username="staff")
    deadline = deadline or days(60)
    case = Case.objects.create(
        organisation=org or county(),
        kind=TEST_KIND.name,
        object_id=next(_object_ids),
        title=title,
        label=label,
        status=status,
        stage=Case.Stage.HANDLING,
        assigned_at=timezone.now(),
        deadline=deadline,
    )
    Assignment.objects.create(
        case=case, unit=unit, role=Assignment.Role.LEAD, assigned_by=staff, deadline=deadline
    )
    services.sync_copies([case.pk])
    return case


def owed(**filters):
    """The owed unit parts, straight from the rows."""
    return Assignment.objects.filter(owes=True, **filters)


def expected_light(a, today=None) -> str:
    """The light a unit's row must show and be counted under: its case's; an active 会办 unit's own, from its
    own deadline (lights.co_light, with the kind's yellow_days)."""
    from zhengxie.handling.lights import co_light

    if a.role == "co" and a.is_active:
        yellow = kinds.get(a.case.kind).days(a.case.organisation, "yellow_days")
        return co_light(a.case.light, a.deadline, today or timezone.localdate(), yellow)
    return a.case.light


def with_light(qs, light: str) -> list:
    """The rows of `qs` whose expected light (expected_light) is `light`."""
    return [a for a in qs.select_related("case__organisation") if expected_light(a) == light]


def totals_of(qs) -> dict:
    """Board totals computed from the rows: owed unit parts by the light each must show (expected_light)."""
    lights = Counter(expected_light(a) for a in qs.select_related("case__organisation"))
    return {
        "red": lights["red"],
        "yellow": lights["yellow"],
        "green": lights["green"],
        "none": lights[""],
        "total": qs.count(),
        "unacknowledged": qs.filter(acknowledged_at__isnull=True).count(),
    }


def rows(response) -> list[dict]:
    """The inbox rows a page shows (selectors.InboxItem.as_dict)."""
    return list(response.context["page_obj"].object_list)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def text(response) -> str:
    return response.content.decode()


def table_row(html: str, first_cell: str) -> list[str]:
    """The cells of the <tr> whose first cell is `first_cell` (tags stripped)."""
    for tr in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)
        ]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r}")


# --- 事项材料 (Kind.materials) on the case page -------------------------------------------------------------


def materials_block(html: str) -> str:
    """The case page's 事项材料 card (its HTML), "" when the page shows none."""
    found = re.search(r'<div class="card p-3 mb-3" id="materials">(.*?)\n    </div>', html, flags=re.S)
    return found.group(1) if found else ""


def case_page_queries(client, case_id: int) -> int:
    """The queries of one read of the case page, after a first read (sessions, settings caches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/handling/cases/{case_id}/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def materials_queries(client, case_id: int) -> int:
    """How many queries the kind's `materials` hook adds to the case page: the page read with the hook and
    with the kind's materials switched off."""
    import dataclasses

    kind = kinds.get(Case.objects.get(pk=case_id).kind)
    full = case_page_queries(client, case_id)
    kinds.KINDS[kind.name] = dataclasses.replace(kind, materials=lambda case, user: [])
    try:
        bare = case_page_queries(client, case_id)
    finally:
        kinds.KINDS[kind.name] = kind
    return full - bare
