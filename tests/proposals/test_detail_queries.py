"""A proposal's detail (API and page) near its floor (issue 16): the request's user is read in one query with
what its permission checks ask (organisation, 委员, roles), and the proposal once, with everything shown.
A revoked token, a deactivated user or a removed role counts from the very next request."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengxie.core.models import ApiToken, Role

API = "/api/v1/proposals"
pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)  # warm the per-process caches (content types, settings)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.content[:300]
    return [q["sql"] for q in ctx.captured_queries]


def _statements_on(sqls, table):
    """The statements whose own FROM is `table` (subqueries and their tables left out)."""
    out = []
    for sql in sqls:
        top = sql
        while re.search(r"\([^()]*\)", top):
            top = re.sub(r"\([^()]*\)", "", top)
        if top.startswith("SELECT") and f'FROM "{table}"' in top:
            out.append(sql)
    return out


@pytest.mark.parametrize("username", ["member1"])
def test_api_detail_reads_the_user_and_the_proposal_once(api_for, proposal_in, username):
    p = proposal_in("replied", cosigners=["member2"], co=["人社局"])
    sqls = _queries(api_for(username), f"{API}/{p.pk}")
    # The token, its user, the user's organisation, 委员 and roles: one statement.
    assert len(_statements_on(sqls, "core_apitoken")) == 1
    assert _statements_on(sqls, "core_user_groups") == [] and _statements_on(sqls, "auth_group") == []
    assert _statements_on(sqls, "members_member") == [] and _statements_on(sqls, "core_organisation") == []
    # The proposal: one read (its visibility and its related rows' joins in the same statement).
    assert len(_statements_on(sqls, "proposals_proposal")) == 1
    assert len(sqls) <= API_DETAIL_MAX, (len(sqls), sqls)


API_DETAIL_MAX = 12


def test_the_proposal_and_the_user_are_read_without_limit_or_order(api_for, client_for, proposal_in):
    """A read by a unique key needs neither: with LIMIT PostgreSQL plans the proposal's 8-table join for a
    fraction of its rows, ~40 ms of planning against ~3 ms without (issue 16, core.selectors.the_row)."""
    p = proposal_in("replied", cosigners=["member2"])
    for client, url in ((api_for("staff"), f"{API}/{p.pk}"), (client_for("staff"), f"/proposals/{p.pk}/")):
        sqls = _queries(client, url)
        reads = _statements_on(sqls, "proposals_proposal") + _statements_on(sqls, "core_apitoken")
        assert reads
        for sql in reads:
            top = sql.rsplit(")", 1)[-1]  # the statement's own tail, after its last subquery
            assert " LIMIT " not in top and " ORDER BY " not in top, sql[-300:]


def test_a_revoked_token_or_a_deactivated_user_is_refused_at_once(api_for, user, proposal_in):
    p = proposal_in("accepted")
    staff = user("staff")
    key = ApiToken.issue(staff)
    from django.test import Client

    c = Client(headers={"Authorization": f"Bearer {key}"})
    assert c.get(f"{API}/{p.pk}").status_code == 200
    ApiToken.revoke_all(staff, reason="test")
    assert c.get(f"{API}/{p.pk}").status_code == 401
    key = ApiToken.issue(staff)
    c = Client(headers={"Authorization": f"Bearer {key}"})
    assert c.get(f"{API}/{p.pk}").status_code == 200
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    assert c.get(f"{API}/{p.pk}").status_code == 401


def test_a_removed_role_counts_from_the_next_request(api_for, client_for, user, proposal_in):
    p = proposal_in("submitted")
    api, page = api_for("staff"), client_for("staff")
    assert "review" in api.get(f"{API}/{p.pk}").json()["allowed_actions"]
    staff = user("staff")
    staff.set_roles([Role.LEADER])
    body = api.get(f"{API}/{p.pk}").json()
    assert "review" not in body["allowed_actions"]
    assert page.get(reverse("proposals:action", args=[p.pk, "review"])).status_code == 403


def body_of(client, p):
    return client.get(f"{API}/{p.pk}").json()


def _top_level_joins(sql):
    top = sql
    while re.search(r"\([^()]*\)", top):
        top = re.sub(r"\([^()]*\)", "", top)
    return top.count(" JOIN ")


def test_the_proposal_read_joins_only_what_every_detail_shows(api_for, client_for, proposal_in, user):
    """Each table joined more doubled PostgreSQL's planning of the one-row read (issue 16): the first
    proposer comes from the signers, the 领衔督办 leader and a merged proposal's target are prefetched
    (a query only when set), and both pages still name them."""
    p = proposal_in("replied", cosigners=["member2"])
    sqls = _queries(api_for("staff"), f"{API}/{p.pk}")
    (read,) = _statements_on(sqls, "proposals_proposal")
    assert _top_level_joins(read) <= 4, read
    plain = len(sqls)

    leader = user("leader")
    p.is_key, p.key_leader = True, leader
    p.save(update_fields=["is_key", "key_leader"])
    sqls = _queries(api_for("staff"), f"{API}/{p.pk}")
    assert len(sqls) == plain + 1
    assert api_for("staff").get(f"{API}/{p.pk}").json()["key_leader"] == leader.name
    assert f"{leader.name}领衔督办" in client_for("staff").get(f"/proposals/{p.pk}/").content.decode()


def test_the_detail_rows_are_in_order_without_order_by(api_for, proposal_in):
    """The detail's prefetched rows (signers, assignments, contacts, replies, evaluations, events) are read
    without ORDER BY — compiling one beside a select_related hashed every selected column, 15% of the API
    detail's CPU (issue 16) — and put in their order in Python: what the user sees keeps its order."""
    import datetime

    from django.utils import timezone

    from zhengxie.handling.models import Event

    p = proposal_in("replied", cosigners=["member2", "member3"], co=["住建局"])
    sqls = _queries(api_for("staff"), f"{API}/{p.pk}")
    for table in ("proposals_signer", "handling_assignment", "handling_reply", "handling_event"):
        (sql,) = _statements_on(sqls, table)
        assert " ORDER BY " not in sql, sql[-200:]
    # The signers' members without their accounts: no detail shows them (a fifth of the compile).
    (signers,) = _statements_on(sqls, "proposals_signer")
    assert '"core_user"' not in signers and _top_level_joins(signers) == 1
    # A reply's assignment and unit are the case's assignments just read, not joined again.
    (replies,) = _statements_on(sqls, "handling_reply")
    assert '"handling_assignment"' not in replies and '"core_handlingunit"' not in replies
    (reply,) = api_for("staff").get(f"{API}/{p.pk}").json()["replies"]
    lead = next(a for a in body_of(api_for("staff"), p)["assignments"] if a["role"] == "lead")
    assert (reply["unit_name"], reply["unit_id"], reply["assignment_id"]) == (
        lead["unit_name"],
        lead["unit_id"],
        lead["id"],
    )
    # Rows written out of order come back in order: the events by time, the signers by their order.
    early = timezone.now() - datetime.timedelta(days=400)
    Event.objects.create(case_id=p.case_id, at=early, action="note", label="最早的一条")
    p.signers.filter(role="lead").update(order=99)
    body = api_for("staff").get(f"{API}/{p.pk}").json()
    ats = [e["at"] for e in body["timeline"]]
    assert body["timeline"][0]["label"] == "最早的一条" and ats == sorted(ats)
    assert body["signers"][-1]["role"] == "lead"
    roles = [a["role"] for a in body["assignments"]]
    assert roles == ["lead", "co"]


def test_the_detail_and_the_list_compile_only_what_depends_on_the_user(api_for, proposal_in, monkeypatch):
    """Issue 16: the rows of a proposal's detail (signers, assignments, contacts, replies, evaluations,
    events, extensions) and of a list page (the rows, their signers and lead units) are read with SQL
    compiled once per process (core.keyedread): building and compiling them on every request was half of
    the API detail's CPU. Only the reads that carry the user's visibility are compiled each time."""
    from django.db.models.sql.compiler import SQLCompiler

    from zhengxie.handling.models import Contact, Event, Extension
    from zhengxie.proposals.models import Assignment, Evaluation, Proposal, Reply, Signer

    compiled = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    p = proposal_in("closed", cosigners=["member2", "member3"], co=["住建局"])
    api = api_for("staff")
    newest = f"{API}?sort=-submitted"
    before = {u: api.get(u).json() for u in (f"{API}/{p.pk}", newest)}  # warm: compiled here
    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    for url, body in before.items():
        compiled.clear()
        assert api.get(url).json() == body  # the same answer ...
        rows = {Signer, Assignment, Reply, Evaluation, Event, Extension, Contact}
        assert not rows & set(compiled), (url, compiled)  # ... without compiling the rows' reads
    detail = before[f"{API}/{p.pk}"]
    assert len(detail["signers"]) == 3 and all(s["name"] for s in detail["signers"])
    assert len(detail["evaluations"]) == 3 and {a["role"] for a in detail["assignments"]} == {"lead", "co"}
    row = before[newest]["items"][0]
    assert row["id"] == p.pk
    assert row["lead_unit"]["name"].endswith("教育局") and len(row["signers"]) == 3
    assert Proposal in compiled  # the list's ids and count carry the user's scope: compiled each time


def test_the_page_and_the_api_list_the_lead_unit_first(api_for, client_for, proposal_in):
    """A case's units are listed 主办 first, then 会办, on the page as in the API (the page listed 会办 first:
    its rows were sorted by the role's code, "co" before "lead")."""
    p = proposal_in("assigned", co=["住建局"])
    roles = [a["role"] for a in api_for("staff").get(f"{API}/{p.pk}").json()["assignments"]]
    assert roles == ["lead", "co"]
    html = client_for("staff").get(f"/proposals/{p.pk}/").content.decode()
    units = html[html.index('id="units"') :]
    assert units.index("主办") < units.index("会办")
