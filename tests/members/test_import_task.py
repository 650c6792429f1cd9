"""The roster import and export as background tasks: the request only checks and stores the upload, the
task reads, checks and imports it (all rows or nothing) while recording its progress, and the page polls
that progress, then shows the row-by-row report or the summary. Tests run tasks immediately."""

import datetime
import io
import os
import zipfile

import pytest
from openpyxl import load_workbook

from zhengxie.core.models import AuditEntry, Export, Notification, User
from zhengxie.members import roster, services
from zhengxie.members.models import Member, RosterImport

from .conftest import id_number, row, upload, xlsx

IMPORT = "/manage/members/import/"


def _post(c, world, content, name="名册.xlsx"):
    return c.post(IMPORT, {"organisation": world.county.pk, "file": upload(content, name)})


def test_the_request_only_stores_the_upload_and_the_page_polls_until_the_task_is_done(
    world, client_for, django_capture_on_commit_callbacks
):
    c = client_for("admin")
    content = xlsx(
        [row(name="后台一", phone="13500000001"), row(name="后台二", gender="女", phone="13500000002")]
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        r = _post(c, world, content)
    job = RosterImport.objects.get()
    assert r.status_code == 302 and r.url == f"/manage/members/import/{job.pk}/"
    # Nothing read yet: the file waits, encrypted, for the task queued after the commit.
    assert job.status == "pending" and job.progress == 0 and len(queued) == 1
    assert job.filename == "名册.xlsx" and job.organisation == world.county
    assert bytes(job.content) and bytes(job.content) != content
    assert not Member.objects.filter(name__startswith="后台").exists()
    page = c.get(r.url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "排队中" in page and "0%" in page
    part = c.get(f"/manage/members/import/{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and 'id="import-progress"' in part and "hx-get" in part
    assert AuditEntry.objects.filter(action="members.roster_import_start", target_id=str(job.pk)).exists()

    queued[0]()  # the worker runs the task
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.imported == 2 and job.total == 2
    assert bytes(job.content) == b""  # the stored file is erased once read
    assert Member.objects.filter(name__in=["后台一", "后台二"], organisation=world.county).count() == 2
    part = c.get(f"/manage/members/import/{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in part and "100%" in part and "已导入 <strong>2</strong> 名委员" in part
    assert f"/manage/members/?organisation={world.county.pk}" in part
    entry = AuditEntry.objects.filter(action="members.roster_import").latest("id")
    assert (
        entry.after["count"] == 2 and entry.actor.username == "admin" and entry.after["file"] == "名册.xlsx"
    )
    note = Notification.objects.filter(user__username="admin").latest("id")
    assert "已导入 2 名委员" in note.title and note.url == f"/manage/members/import/{job.pk}/"
    # The upload page lists it among the user's recent imports.
    body = c.get(IMPORT).content.decode()
    assert "已导入 2 人" in body and "一次最多 5000 行" in body


def test_bad_rows_give_the_row_by_row_report_and_import_nothing(
    world, client_for, django_capture_on_commit_callbacks
):
    c = client_for("admin")
    content = xlsx(
        [
            row(name="甲", phone="13500000011"),
            row(name="乙", gender="未知", phone="13500000012"),
            row(name="丙", phone="13500000011"),
            row(name="丁", sector="火星界", phone="13500000013"),
        ]
    )
    members_before, users_before = Member.objects.count(), User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(c, world, content)
    job = RosterImport.objects.get()
    assert job.status == "rejected" and job.progress == 100 and job.total == 4 and job.imported == 0
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "性别"), (4, "手机号"), (5, "界别")]
    assert Member.objects.count() == members_before and User.objects.count() == users_before
    assert not AuditEntry.objects.filter(action="members.roster_import").exists()
    page = c.get(r.url).content.decode()
    assert "hx-trigger" not in page and "100%" in page
    assert "共 4 行，发现 3 处问题" in page and "未导入任何数据" in page
    assert "第 3 行" in page and "性别须为“男”或“女”，而不是“未知”" in page
    assert "与第 2 行手机号重复" in page and "界别“火星界”在青川县政协不存在" in page
    assert f'href="/manage/members/import/?organisation={world.county.pk}"' in page  # upload again
    # ... and the upload page keeps that choice.
    body = c.get(IMPORT, {"organisation": world.county.pk}).content.decode()
    assert f'<option value="{world.county.pk}" selected>' in body
    assert "委员名册未导入" in Notification.objects.filter(user__username="admin").latest("id").title


def test_progress_is_recorded_step_by_step_up_to_100(world, user, django_capture_on_commit_callbacks):
    rows = [row(name=f"进度{i}", phone=f"135{10000000 + i:08d}", id_no=id_number(i)) for i in range(600)]
    seen = []
    result = roster.import_rows(
        user=user("admin"),
        organisation=world.county,
        data=xlsx(rows),
        progress=lambda percent, stage: seen.append((percent, stage)),
    )
    assert result.ok and len(result.created) == 600
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[0] == 5 and percents[-1] == 95
    assert {s for _, s in seen} == {
        "正在读取文件",
        "正在逐行检查",
        "正在生成初始密码",
        "正在创建账号和委员档案",
    }
    assert len([p for p, s in seen if s == "正在生成初始密码"]) >= 3  # hashing is slow: it reports too
    assert len([p for p, s in seen if s == "正在读取文件"]) >= 3  # every 250 rows while reading
    assert len([p for p, s in seen if s == "正在逐行检查"]) >= 3  # and while checking
    more = [row(name=f"进度乙{i}", phone=f"134{10000000 + i:08d}") for i in range(300)]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.roster_import_start(
            user=user("admin"), organisation=world.county, upload=upload(xlsx(more))
        )
    job.refresh_from_db()
    assert (job.status, job.progress, job.imported) == ("done", 100, 300)


def test_a_file_type_problem_is_answered_in_the_request(world, client_for):
    r = _post(client_for("admin"), world, b"%PDF-1.4 not a roster", "roster.pdf")
    assert r.status_code == 200 and "只接受 Excel(.xlsx)" in r.content.decode()
    r = _post(client_for("admin"), world, xlsx([row()]), "roster.pdf")
    assert "扩展名 .pdf" in r.content.decode()
    assert not RosterImport.objects.exists()


def test_an_unreadable_workbook_is_rejected_by_the_task(
    world, client_for, django_capture_on_commit_callbacks
):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:  # looks like .xlsx to the sniffer, but is no workbook
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "not xml")
    c = client_for("admin")
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(c, world, buf.getvalue())
    job = RosterImport.objects.get()
    assert job.status == "rejected" and job.progress == 100 and bytes(job.content) == b""
    page = c.get(r.url).content.decode()
    assert "无法读取该 Excel 文件" in page and "未导入任何数据" in page


def test_too_many_rows_are_refused(world, user, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 2)
    result = roster.import_rows(
        user=user("admin"),
        organisation=world.county,
        data=xlsx([row(phone=f"1350000002{i}") for i in range(3)]),
    )
    assert [e.message for e in result.errors] == ["行数超过上限：一次最多导入 2 行，请分批导入。"]


def test_the_task_runs_once_and_only_its_owner_sees_the_import(
    world, user, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.roster_import_start(
            user=user("admin"),
            organisation=world.county,
            upload=upload(xlsx([row(name="一次", phone="13500000031")])),
        )
    assert roster.run_roster_import(str(job.pk)) == "done"  # a second run changes nothing
    assert Member.objects.filter(name="一次").count() == 1
    for other in ("secadmin", "staff", "member1"):
        c = client_for(other)
        assert c.get(f"/manage/members/import/{job.pk}/").status_code == 404
        assert c.get(f"/manage/members/import/{job.pk}/progress/").status_code == 404


def test_the_task_refuses_a_user_who_lost_the_right_to_import(
    world, user, django_capture_on_commit_callbacks
):
    admin = user("admin")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = services.roster_import_start(
            user=admin,
            organisation=world.county,
            upload=upload(xlsx([row(name="晚了", phone="13500000041")])),
        )
    admin.set_roles(["staff"])
    queued[0]()
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "无权导入委员名册。" and bytes(job.content) == b""
    assert not Member.objects.filter(name="晚了").exists()


# --- the export of a big roster ----------------------------------------------------------------------


def test_a_big_roster_is_exported_in_the_background(
    world, client_for, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 5
    monkeypatch.setattr(roster, "PROGRESS_EVERY", 3)
    c = client_for("staff")
    total = Member.objects.filter(organisation=world.county, status="active").count()
    r = c.get("/manage/members/export/", {"status": "active"})
    body = r.content.decode()
    assert r["Content-Type"].startswith("text/html") and f'id="export-total">{total}<' in body
    assert 'action="/manage/members/export/?status=active"' in body
    assert not Export.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/manage/members/export/?status=active")
    export = Export.objects.get()
    assert r.status_code == 302 and r.url == f"/exports/{export.pk}/"  # the core's one export page
    assert export.status == "done" and export.progress == 100 and export.params == {"status": "active"}
    page = c.get(r.url).content.decode()
    assert "hx-trigger" not in page and "100%" in page and "btn-download" in page
    assert c.get(f"/manage/members/exports/{export.pk}/").status_code == 200  # the earlier address
    d = c.get(f"/manage/members/exports/{export.pk}/download/")
    rows = list(load_workbook(io.BytesIO(b"".join(d.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) - 1 == total
    assert world.member1.phone in {x[13] for x in rows[1:]}  # staff see full numbers
    entry = AuditEntry.objects.filter(action="members.roster_export").latest("id")
    assert entry.actor.username == "staff" and entry.after["count"] == total
    for other in ("admin", "leader", "member1"):
        assert client_for(other).get(f"/manage/members/exports/{export.pk}/download/").status_code == 404
        assert client_for(other).get(f"/manage/members/exports/{export.pk}/").status_code == 404


def test_a_pending_export_page_polls(world, user, client_for):
    export = Export.objects.create(
        user=user("staff"), kind=roster.EXPORT_KIND, title="委员名册导出", status="running", progress=40
    )
    c = client_for("staff")
    page = c.get(f"/manage/members/exports/{export.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "40%" in page and "生成中" in page
    assert c.get(f"/manage/members/exports/{export.pk}/download/").status_code == 404
    # A proposals export is not served here.
    other = Export.objects.create(user=user("staff"), kind="proposals.list_xlsx", title="提案列表导出")
    assert c.get(f"/manage/members/exports/{other.pk}/").status_code == 404


@pytest.mark.parametrize("username", ["leader", "member1", "liaison"])
def test_who_may_not_export_cannot_start_one(world, client_for, username):
    assert client_for(username).post("/manage/members/export/").status_code == 404
    assert not Export.objects.exists()


def test_old_roster_files_are_purged_daily(world, user, client_for, django_capture_on_commit_callbacks):
    from django.utils import timezone

    import zhengxie.core.jobs  # noqa: F401  (registers core.purge_exports)
    from zhengxie.core.scheduler import JOBS
    from zhengxie.members import jobs

    staff = user("staff")
    with django_capture_on_commit_callbacks(execute=True):
        old, new = (services.roster_export_start(user=staff, filters={}) for _ in range(2))
    old.refresh_from_db()
    path = old.file.path
    long_ago = timezone.now() - datetime.timedelta(days=jobs.KEEP_DAYS + 1)
    Export.objects.filter(pk=old.pk).update(created_at=long_ago)
    with django_capture_on_commit_callbacks(execute=False):  # never picked up by a worker
        waiting = services.roster_import_start(
            user=user("admin"), organisation=world.county, upload=upload(xlsx([row()]))
        )
    RosterImport.objects.filter(pk=waiting.pk).update(created_at=long_ago)

    # the roster's exports are purged with every module's by the core's job, after the same days
    assert JOBS["members.purge_roster_files"].func() == {"imports": 1, "passwords": 0}
    assert JOBS["core.purge_exports"].func() == {"exports": 1}
    assert not Export.objects.filter(pk=old.pk).exists() and Export.objects.filter(pk=new.pk).exists()
    assert not os.path.exists(path)
    waiting.refresh_from_db()
    assert waiting.status == "failed" and bytes(waiting.content) == b"" and "重新上传" in waiting.error
    assert client_for("staff").get(f"/manage/members/exports/{old.pk}/").status_code == 404
