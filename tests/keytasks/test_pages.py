"""The pages: the list (filters, constant query count), the task page and its report form, the create and
edit forms (nothing typed lost on an error), the board, the .xlsx and the .docx 进度通报, the to-do and the
dashboard section; members and another county get 404."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.keytasks.models import KeyTask, ProgressReport

pytestmark = pytest.mark.django_db


def _many(make_task, n, today):
    for i in range(n):
        make_task(category=f"类别{i % 5}", title=f"批量任务{i}")


def test_list_query_count_is_constant(client_for, make_task, today):
    c = client_for("leader")
    url = f"/keytasks/?year={today.year}"
    c.get(url)
    _many(make_task, 10, today)
    with CaptureQueriesContext(connection) as few:
        r = c.get(url)
    assert r.status_code == 200 and "批量任务9" in r.content.decode()
    _many(make_task, 50, today)
    with CaptureQueriesContext(connection) as many:
        r = c.get(url)
    assert r.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_list_filters_and_page(client_for, make_task, today):
    t = make_task(title="独一无二的任务")
    c = client_for("office")
    r = c.get(f"/keytasks/?year={today.year}&q=独一无二")
    html = r.content.decode()
    assert (
        r.status_code == 200 and "独一无二的任务" in html and "pct-0" in html and 'id="keytask-new"' in html
    )
    r = c.get(f"/keytasks/?year={today.year}&light=green&q=独一无二")
    assert "独一无二的任务" not in r.content.decode()  # it is red (50 % of the time gone)
    r = c.get(f"/keytasks/{t.pk}/")
    assert r.status_code == 200 and "报送进展" in r.content.decode()
    assert 'style="' not in r.content.decode()


def test_report_form_with_evidence_and_milestone(client_for, make_task, today):
    t = make_task(milestones=[{"title": "调研", "due_on": today}])
    m = t.milestones.get()
    c = client_for("staff")
    pdf = SimpleUploadedFile("佐证.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    r = c.post(
        f"/keytasks/{t.pk}/report/",
        {"percent": "55", "note": "调研完成", "reason": "", "milestones_done": [str(m.pk)], "evidence": pdf},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    t.refresh_from_db()
    m.refresh_from_db()
    assert t.percent == 55 and t.light == "green" and m.done_on == today
    rep = ProgressReport.objects.get(task=t)
    assert rep.evidence is not None and rep.evidence.original_name == "佐证.pdf"
    # The evidence is served to those who see the task, not to another county.
    assert client_for("leader").get(f"/files/{rep.evidence_id}/").status_code == 200
    assert client_for("other").get(f"/files/{rep.evidence_id}/").status_code == 404
    # Going back without a reason: the message next to the field, what was typed kept.
    r = c.post(f"/keytasks/{t.pk}/report/", {"percent": "30", "note": "重新评估后的进展"})
    html = r.content.decode()
    assert r.status_code == 422 and "回退原因" in html and "重新评估后的进展" in html
    assert KeyTask.objects.get(pk=t.pk).percent == 55


def test_create_and_edit_forms(client_for, user, today):
    c = client_for("office")
    assert c.get("/keytasks/new/").status_code == 200
    data = {
        "year": str(today.year),
        "category": "民主监督",
        "title": "开展专项民主监督",
        "description": "路线图",
        "owner": str(user("staff").pk),
        "owner_unit": "社会和法制委员会",
        "leader": str(user("leader").pk),
        "starts_on": f"{today.year}-01-01",
        "due_on": f"{today.year}-12-31",
        "m_count": "8",
        "m_title_0": "制定方案",
        "m_due_0": f"{today.year + 1}-03-01",  # after the due day: refused
    }
    r = c.post("/keytasks/new/", data)
    html = r.content.decode()
    assert r.status_code == 422 and "节点" in html and "开展专项民主监督" in html and "制定方案" in html
    data["m_due_0"] = f"{today.year}-03-01"
    r = c.post("/keytasks/new/", data)
    assert r.status_code == 302
    t = KeyTask.objects.get(title="开展专项民主监督")
    assert t.owner_unit == "社会和法制委员会" and t.milestones.get().title == "制定方案"
    r = c.get(f"/keytasks/{t.pk}/edit/")
    assert r.status_code == 200 and "制定方案" in r.content.decode()
    m = t.milestones.get()
    data.update(
        {
            "title": "开展专项民主监督（修订）",
            "m_id_0": str(m.pk),
            "m_title_1": "总结",
            "m_due_1": f"{today.year}-12-01",
        }
    )
    data.pop("year")  # the year is not editable (a disabled field is not posted)
    r = c.post(f"/keytasks/{t.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    t.refresh_from_db()
    assert t.title.endswith("（修订）") and list(t.milestones.values_list("title", flat=True)) == [
        "制定方案",
        "总结",
    ]
    # Not the office: no forms.
    assert client_for("staff").get("/keytasks/new/").status_code == 404
    assert client_for("staff").get(f"/keytasks/{t.pk}/edit/").status_code == 404


def test_members_and_another_county_get_404(client_for, make_task):
    t = make_task()
    for username in ("member1", "other", "handler1"):
        c = client_for(username)
        assert c.get(f"/keytasks/{t.pk}/").status_code == 404
        assert c.post(f"/keytasks/{t.pk}/report/", {"percent": "50", "note": "x"}).status_code == 404
    assert client_for("member1").get("/keytasks/").status_code == 404
    assert KeyTask.objects.get(pk=t.pk).percent == 0


def test_board_export_and_bulletin(client_for, make_task, today):
    make_task(title="通报中的任务")
    c = client_for("leader")
    r = c.get(f"/keytasks/board/?year={today.year}")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-chart-source="keytask-board-chart"' in html and "重点工作" in html
    assert "通报中的任务" in html  # behind: on the board's list

    r = c.get(f"/keytasks/export.xlsx?year={today.year}")
    assert r.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    values = [cell.value for row in ws.iter_rows() for cell in row]
    assert "通报中的任务" in values and "序时进度(%)" in values

    r = c.get(f"/keytasks/bulletin.docx?year={today.year}")
    assert r.status_code == 200
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "重点工作进度通报" in text and "通报中的任务" in text and "类" in text and "完成" in text


def test_todo_and_dashboard(client_for, make_task, user, today):
    from zhengxie.core.dashboard import Period
    from zhengxie.core.navigation import todos_for
    from zhengxie.keytasks.dashboard import keytask_figures

    make_task()  # red at once: owner "staff", leader "leader"
    todo = [t for t in todos_for(user("staff")) if t["label"] == "滞后于序时进度的重点工作"]
    assert todo and todo[0]["count"] >= 1
    section = keytask_figures(user("leader"), Period(None, today.year))
    assert section is not None and section.note.startswith("重点工作") and "完成" in section.note
    assert keytask_figures(user("member1"), Period(None, today.year)) is None
    assert datetime.date.today()


def test_a_bad_evidence_file_is_said_next_to_the_field(client_for, make_task):
    t = make_task()
    fake = SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")
    r = client_for("staff").post(
        f"/keytasks/{t.pk}/report/", {"percent": "10", "note": "附件有误", "evidence": fake}
    )
    html = r.content.decode()
    assert r.status_code == 422 and "文件类型不符" in html and "附件有误" in html
    assert KeyTask.objects.get(pk=t.pk).percent == 0 and not ProgressReport.objects.filter(task=t).exists()


def test_pages_keep_the_strict_csp(client_for, make_task, today):
    import re

    t = make_task()
    office = client_for("office")
    for url in (
        f"/keytasks/?year={today.year}",
        "/keytasks/board/",
        "/keytasks/new/",
        f"/keytasks/{t.pk}/edit/",
    ):
        html = office.get(url).content.decode()
        assert "style=" not in html, url
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert all('type="application/json"' in s for s in scripts), (url, scripts)
