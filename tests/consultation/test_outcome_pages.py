"""The 协商成果 pages: writing with rows that survive errors and "add more", the outcome page with its
actions and a constant number of queries, the phone vote page, the .docx download, the consultation
page's panel."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengxie.consultation.models import Outcome, OutcomeVote, Recommendation
from zhengxie.consultation.services import outcomes as services

pytestmark = pytest.mark.django_db


def test_write_page_keeps_what_was_typed(held, client_for, education):
    c = held()
    office = client_for("office")
    url = reverse("consultation:outcome_edit", args=[c.pk])
    r = office.get(url)
    assert r.status_code == 200 and r.content.decode().count('name="content"') == 3
    typed = {
        "title": "",
        "summary": "",
        "sent_to": "中共县委、县人民政府",
        "content": ["第一条建议内容", "第二条建议内容", ""],
        "unit": [str(education.pk), "", ""],
        "deadline": ["", "", ""],
    }
    r = office.post(url, {**typed, "more": "1"})
    html = r.content.decode()
    assert r.status_code == 200 and html.count('name="content"') == 6
    assert "第一条建议内容" in html and "第二条建议内容" in html
    assert f'<option value="{education.pk}" selected>' in html
    r = office.post(url, {**typed, "save": "1"})
    html = r.content.decode()
    assert r.status_code == 422 and "请填写成果综述" in html and "第二条建议内容" in html
    assert not Outcome.objects.filter(consultation=c).exists()
    r = office.post(url, {**typed, "summary": "协商综述", "save": "1"})
    o = Outcome.objects.get(consultation=c)
    assert r.status_code == 302 and r["Location"] == reverse("consultation:outcome", args=[o.pk])
    assert [x.content for x in Recommendation.objects.filter(outcome=o)] == [
        "第一条建议内容",
        "第二条建议内容",
    ]
    r = office.get(url)
    assert "第一条建议内容" in r.content.decode()


def test_write_page_is_for_the_staff(held, client_for):
    c = held()
    url = reverse("consultation:outcome_edit", args=[c.pk])
    assert client_for("member1").get(url).status_code == 403
    assert client_for("other").get(url).status_code == 404


def test_outcome_page_send_and_actions(written, client_for, education):
    o = written()
    office = client_for("office")
    page = reverse("consultation:outcome", args=[o.pk])
    html = office.get(page).content.decode()
    assert 'id="btn-send"' in html and o.title in html
    r = office.post(reverse("consultation:outcome_send", args=[o.pk]))
    assert r.status_code == 302
    html = office.get(page).content.decode()
    assert 'id="btn-send"' not in html and "已报送" in html and 'id="btn-vote-open"' in html
    r2 = Recommendation.objects.get(outcome=o, number=2)
    r = office.post(reverse("consultation:recommendation_route", args=[r2.pk]), {"unit": ""})
    assert r.status_code == 422 and "承办单位" in r.content.decode()
    r = office.post(reverse("consultation:recommendation_route", args=[r2.pk]), {"unit": education.pk})
    assert r.status_code == 302 and Recommendation.objects.get(pk=r2.pk).case_id
    r = office.post(
        reverse("consultation:recommendation_adoption", args=[r2.pk]),
        {"adoption": "partly", "note": "部分采纳"},
    )
    assert r.status_code == 302 and Recommendation.objects.get(pk=r2.pk).adoption == "partly"
    r = office.post(
        reverse("consultation:outcome_instruction", args=[o.pk]),
        {"leader": "", "level": "county", "content": "请落实", "given_on": ""},
    )
    assert r.status_code == 422 and "请落实" in r.content.decode()  # kept in the form
    r = office.post(
        reverse("consultation:outcome_instruction", args=[o.pk]),
        {"leader": "县委书记 王强", "level": "county", "content": "请落实", "given_on": ""},
    )
    assert r.status_code == 302
    assert "县委书记 王强" in office.get(page).content.decode()
    member = client_for("member1")
    html = member.get(page).content.decode()
    assert member.get(page).status_code == 200 and 'id="btn-vote-open"' not in html and "交办" not in html
    assert client_for("other").get(page).status_code == 404
    assert member.post(reverse("consultation:outcome_vote_open", args=[o.pk])).status_code == 403


def _outcome_with(written, held, n):
    rows = [{"content": f"第{i}条建议"} for i in range(1, n + 1)]
    return written(consultation=held(), rows=rows)


def test_outcome_page_queries_do_not_grow(written, held, sent, client_for, user):
    office = client_for("office")
    small = _outcome_with(written, held, 3)
    big = _outcome_with(written, held, 30)
    for o in (small, big):
        services.send(user=user("office"), outcome=o)
        services.add_instruction(
            user=user("office"), outcome=o, leader="县长", level="county", content="落实"
        )
        services.open_vote(user=user("office"), outcome=o)
    office.get(reverse("consultation:outcome", args=[small.pk]))  # warm caches
    counts = []
    for o in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            r = office.get(reverse("consultation:outcome", args=[o.pk]))
        assert r.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_vote_page(sent, client_for, user, county):
    o = sent()
    services.open_vote(user=user("office"), outcome=o)
    voter = services.standing_members(county).select_related("user").order_by("pk")[0].user
    c = client_for(voter.username)
    url = reverse("consultation:outcome_vote", args=[o.pk])
    html = c.get(url).content.decode()
    assert 'id="vote-form"' in html and 'value="good"' in html
    r = c.post(url, {"rating": "fair"})
    assert r.status_code == 302 and OutcomeVote.objects.get(outcome=o).rating == "fair"
    html = c.get(url).content.decode()
    assert 'id="vote-done"' in html and "较好" in html
    r = c.post(url, {"rating": "good"})
    assert r.status_code == 409 and "已参加过" in r.content.decode()
    html = client_for("member1").get(url).content.decode()
    assert 'id="vote-form"' not in html
    assert client_for("other").get(url).status_code == 404
    # The office's page shows the counts and the chart data.
    html = client_for("office").get(reverse("consultation:outcome", args=[o.pk])).content.decode()
    assert 'id="vote-counts"' in html and 'id="vote-chart"' in html


def test_vote_todo_for_standing_members(sent, user, county):
    from zhengxie.core.navigation import todos_for

    o = sent()
    services.open_vote(user=user("office"), outcome=o)
    voter = services.standing_members(county).select_related("user").order_by("pk")[0].user
    todo = [t for t in todos_for(voter) if t["label"] == "待参加的协商成果票评"]
    assert todo and todo[0]["count"] >= 1
    services.vote(user=voter, outcome=o, rating="good")
    todo = [t for t in todos_for(voter) if t["label"] == "待参加的协商成果票评"]
    assert not todo or all(t["url"] != reverse("consultation:outcome_vote", args=[o.pk]) for t in todo)


def test_docx_download(sent, client_for):
    from docx import Document

    o = sent()
    r = client_for("member1").get(reverse("consultation:outcome_document", args=[o.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert o.title in text
    assert client_for("other").get(reverse("consultation:outcome_document", args=[o.pk])).status_code == 404


def test_panel_on_the_consultation_page(written, held, client_for):
    from django.test import RequestFactory

    from zhengxie.consultation.views.outcomes import panel_context
    from zhengxie.core.models import User

    c = held()
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="office")
    assert panel_context(request, c)["op"]["writable"] is True
    o = written(consultation=c)
    ctx = panel_context(request, c)["op"]
    assert ctx["outcome"].pk == o.pk and len(ctx["recommendations"]) == 3
    r = client_for("office").get(reverse("consultation:detail", args=[c.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="outcome-panel"' in html and o.title in html


def test_the_unit_works_on_the_case_page(sent, client_for, user):
    o = sent()
    r1 = Recommendation.objects.get(outcome=o, number=1)
    handler = client_for("handler1")
    r = handler.get(reverse("handling:inbox"))
    assert r.status_code == 200 and "协商成果第1条" in r.content.decode()
    r = handler.get(reverse("handling:case", args=[r1.case_id]))
    html = r.content.decode()
    assert r.status_code == 200 and o.title in html and "城区中小学课后服务" in html
    assert f"/consultation/outcomes/{o.pk}/#rec-{r1.pk}" in html  # the item's own page
    assert client_for("handler2").get(reverse("handling:case", args=[r1.case_id])).status_code == 404


def test_a_draft_is_the_staffs(written, client_for, api_for):
    o = written()
    page = reverse("consultation:outcome", args=[o.pk])
    assert client_for("member1").get(page).status_code == 404
    assert api_for("member1").get(f"/api/v1/consultation-outcomes/{o.pk}").status_code == 404
    assert api_for("member1").get(f"/api/v1/consultations/{o.consultation_id}/outcome").status_code == 404
    assert client_for("leader").get(page).status_code == 200
    assert client_for("office").get(page).status_code == 200
    html = (
        client_for("member1").get(reverse("consultation:detail", args=[o.consultation_id])).content.decode()
    )
    assert o.title not in html


def test_write_page_says_when_it_is_too_early(held, client_for):
    from zhengxie.consultation.models import Consultation

    c = held(status=Consultation.Status.PLANNED)
    r = client_for("office").get(reverse("consultation:outcome_edit", args=[c.pk]))
    assert r.status_code == 200 and "计划中" in r.content.decode()


def test_the_years_outcomes(sent, written, held, client_for, user):
    o = sent()
    draft = written(consultation=held(title="另一项协商"))
    services.set_adoption(
        user=user("office"), recommendation=o.recommendations.get(number=1), adoption="adopted"
    )
    url = reverse("consultation:outcomes")
    r = client_for("office").get(url)
    html = r.content.decode()
    assert r.status_code == 200 and o.title in html and draft.title in html and 'id="outcome-figures"' in html
    html = client_for("member1").get(url).content.decode()
    assert o.title in html and draft.title not in html
    assert o.title not in client_for("other").get(url).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        client_for("office").get(url + "?year=1999")
    assert client_for("office").get(url + "?year=abc").status_code == 200
    assert len(ctx.captured_queries) < 40


def test_a_unit_with_a_routed_recommendation_reads_the_consultation_and_its_outcome(sent, client_for):
    o = sent()  # no departments on the consultation: 县教育局 and 县住建局 only have a recommendation each
    for handler in ("handler1", "handler2"):
        c = client_for(handler)
        assert c.get(reverse("consultation:detail", args=[o.consultation_id])).status_code == 200
        assert c.get(reverse("consultation:outcome", args=[o.pk])).status_code == 200
        assert o.consultation.title in c.get(reverse("consultation:list")).content.decode()


def test_outcome_list_on_a_phone_keeps_the_figures_under_the_title(client_for):
    """The five number columns are for wide screens; a phone reads them as one line under the title
    (the narrow columns had broken 建议, 票评 and 进行中 into one character per line)."""
    html = client_for("member1").get(reverse("consultation:outcomes")).content.decode()
    head = html.split('id="outcome-table"')[1].split("</thead>")[0]
    for label in ("建议", "采纳", "交办", "办结", "票评"):
        th = head.split(f">{label}</th>")[0].rsplit("<th", 1)[1]
        assert "d-none d-md-table-cell" in th, label
    assert "outcome-phone-figures" in html and "建议4条" in html
