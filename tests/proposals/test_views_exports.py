"""Background files: the filtered list as .xlsx, the 提案汇编 (.docx / PDF), the statistics export.
Files are served only to the user who asked for them."""

import io

from django.urls import reverse

from zhengxie.core.models import Export
from zhengxie.proposals.models import Proposal

from .builders import build, new_session


def test_list_export_runs_in_the_background_and_only_its_owner_downloads(
    client_for, settings, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    settings.EXPORT_INLINE_MAX_ROWS = 0  # the background path; small exports: the last test

    build(title="关于校园食品安全的提案", status="assigned", light="red")
    build(title="关于农村公路养护的提案", status="assigned", light="green", category="城乡建设")
    c = client_for("staff")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("proposals:export_list") + "?light=red&category=科教文卫")
    assert r.status_code == 302
    export = Export.objects.filter(user__username="staff").latest("created_at")
    assert export.status == Export.Status.DONE and export.progress == 100
    assert export.params == {"light": "red", "category": "科教文卫"}
    page = c.get(r.url).content.decode()
    assert "下载" in page and "hx-trigger" not in page
    d = c.get(reverse("proposals:export_download", args=[export.pk]))
    assert d.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(d.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][2] == "案由"
    titles = [row[2] for row in rows[1:]]
    assert "关于校园食品安全的提案" in titles and "关于农村公路养护的提案" not in titles
    assert all(row[11] == "红灯" for row in rows[1:])
    for other in ("leader", "member1", "other"):
        assert (
            client_for(other).get(reverse("proposals:export_download", args=[export.pk])).status_code == 404
        )
        assert client_for(other).get(reverse("proposals:export", args=[export.pk])).status_code == 404


def test_pending_export_page_polls(client_for, user):
    export = Export.objects.create(
        user=user("staff"),
        kind="proposals.list_xlsx",
        title="提案列表导出",
        progress=40,
        status=Export.Status.RUNNING,
    )
    c = client_for("staff")
    page = c.get(reverse("proposals:export", args=[export.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "40%" in page
    assert c.get(reverse("proposals:export_download", args=[export.pk])).status_code == 404
    part = c.get(
        reverse("proposals:export_progress", args=[export.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in part and "40%" in part


def test_compilation_task_finishes_with_progress_100(
    client_for, settings, django_capture_on_commit_callbacks
):
    from docx import Document

    settings.EXPORT_INLINE_MAX_ROWS = 0  # the background path

    session = new_session()
    build(title="第一件提案", number=1, session=session)
    build(title="第二件提案", number=2, session=session)
    build(title="未立案的提案", status="submitted", session=session)
    c = client_for("staff")
    for fmt in ("docx", "pdf"):
        with django_capture_on_commit_callbacks(execute=True):
            r = c.post(reverse("proposals:compilation"), {"session": session.pk, "format": fmt})
        assert r.status_code == 302
        export = Export.objects.filter(kind="proposals.compilation").latest("created_at")
        assert export.status == Export.Status.DONE and export.progress == 100, export.error
        data = b"".join(c.get(reverse("proposals:export_download", args=[export.pk])).streaming_content)
        if fmt == "docx":
            text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
            assert "第一件提案" in text and "第二件提案" in text and "未立案的提案" not in text
            assert export.filename == "测试会议提案汇编.docx"
        else:
            assert data.startswith(b"%PDF")
    assert "测试会议提案汇编" in c.get(reverse("proposals:compilation")).content.decode()


def test_compilation_form_refuses_a_session_of_another_county(client_for, django_capture_on_commit_callbacks):
    from zhengxie.members.models import Session

    s2 = Session.objects.get(organisation__code="demo-county-2", is_current=True)
    r = client_for("staff").post(reverse("proposals:compilation"), {"session": s2.pk, "format": "docx"})
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()
    assert not Export.objects.filter(kind="proposals.compilation").exists()


def test_stats_page_and_export(client_for):
    session = new_session()
    build(session=session, status="replied", reply_class="A", ratings=["satisfied"])
    build(
        session=session,
        status="replied",
        reply_class="C",
        on_time=False,
        ratings=["unsatisfied"],
        category="城乡建设",
        unit_name="县住房和城乡建设局",
    )
    c = client_for("leader")
    page = c.get(reverse("proposals:stats") + f"?session={session.pk}").content.decode()
    assert (
        "测试会议" in page and 'id="stat-reply-rate">50.0%' in page and 'id="stat-satisfaction">50.0%' in page
    )
    assert (
        'data-chart-source="unit-bar"' in page and 'id="class-pie"' in page and "县住房和城乡建设局" in page
    )
    r = c.get(reverse("proposals:stats_export") + f"?session={session.pk}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    rows = {
        row[0]: row[1] for row in load_workbook(io.BytesIO(r.content))["总体情况"].iter_rows(values_only=True)
    }
    assert rows["提交提案"] == 2 and rows["办复率(%)"] == 50.0
    dash = client_for("staff").get(reverse("dashboard:index") + f"?session={session.pk}").content.decode()
    assert 'data-chart-source="status-bar"' in dash and 'id="stat-submitted">2<' in dash


def test_a_small_export_is_answered_at_once_and_a_big_one_goes_to_the_background(client_for, settings):
    """Up to EXPORT_INLINE_MAX_ROWS rows the file is built in the request and is the answer itself, no
    worker round trip (the export row, its audit entry and its file are kept as for a background one);
    past it the export is queued and the user goes to its progress page. A compilation counts
    core.exports.PAGE_ROWS rows a proposal."""
    from openpyxl import load_workbook

    from zhengxie.core import exports as core_exports
    from zhengxie.core.models import AuditEntry

    build(title="关于校园食品安全的提案", status="assigned", category="城乡建设")
    build(title="关于农村公路养护的提案", status="assigned", category="城乡建设")
    c = client_for("staff")
    url = reverse("proposals:export_list") + "?category=城乡建设&q=提案"
    rows = Proposal.objects.filter(category="城乡建设").exclude(status="draft").count()
    settings.EXPORT_INLINE_MAX_ROWS = rows
    r = c.post(url)  # no on_commit run: nothing was queued
    assert r.status_code == 200 and r["Content-Type"] == core_exports.CONTENT_TYPES["xlsx"]
    assert "attachment" in r["Content-Disposition"] and r["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(r.content)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert {"关于农村公路养护的提案", "关于校园食品安全的提案"} <= set(titles)
    export = Export.objects.filter(user__username="staff").latest("created_at")
    assert export.status == Export.Status.DONE and export.params == {"category": "城乡建设", "q": "提案"}
    assert AuditEntry.objects.filter(
        action="proposals.list_xlsx.start", after__export=str(export.pk)
    ).exists()

    settings.EXPORT_INLINE_MAX_ROWS = len(titles) - 1  # one row too many: a big export
    r = c.post(url)
    export = Export.objects.filter(user__username="staff").latest("created_at")
    assert export.status == Export.Status.PENDING
    assert r.status_code == 302 and r.url == reverse("core:export", args=[export.pk])

    session = new_session()
    build(title="第一件提案", number=1, session=session)
    settings.EXPORT_INLINE_MAX_ROWS = core_exports.PAGE_ROWS
    r = c.post(reverse("proposals:compilation"), {"session": session.pk, "format": "docx"})
    assert r.status_code == 200 and r["Content-Type"] == core_exports.CONTENT_TYPES["docx"]
    build(title="第二件提案", number=2, session=session)
    r = c.post(reverse("proposals:compilation"), {"session": session.pk, "format": "docx"})
    assert r.status_code == 302  # two proposals count 2 × PAGE_ROWS rows
