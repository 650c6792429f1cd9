"""The platform services every app leans on: notifications, the audit log, the scheduler, numbering,
upload checks, the API's token login, the inbox and the audit pages."""

import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhengxie.core import audit, scheduler
from zhengxie.core.errors import Invalid
from zhengxie.core.models import AuditEntry, Notification, Organisation, ScheduledRun
from zhengxie.core.notifications import notify
from zhengxie.core.numbering import next_number
from zhengxie.core.sms import LoggingSMSBackend
from zhengxie.core.uploads import DOCUMENTS, save_attachment, validate

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- notifications --------------------------------------------------------------------------------------


def test_notify_fills_the_inbox_and_sends_email_and_sms_after_commit(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(LoggingSMSBackend, "sent", [])
    member1, staff = user("member1"), user("staff")
    with django_capture_on_commit_callbacks(execute=True):
        notes = notify(
            [member1, staff, member1], "提案已立案", "您的提案已立案。", url="/proposals/1/", sms=True
        )
        # Nothing leaves before the transaction commits.
        assert mail.outbox == [] and LoggingSMSBackend.sent == []

    assert len(notes) == 2  # member1 once, however often named
    assert Notification.objects.filter(user=member1, title="提案已立案", read_at__isnull=True).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member1.email, staff.email])
    assert all(m.subject == "【智慧政协】提案已立案" and "/proposals/1/" in m.body for m in mail.outbox)
    assert sorted(p for p, _ in LoggingSMSBackend.sent) == sorted([member1.phone, staff.phone])
    assert all(t == "【智慧政协】提案已立案" for _, t in LoggingSMSBackend.sent)


def test_notify_without_sms_sends_no_text_message(user, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(LoggingSMSBackend, "sent", [])
    with django_capture_on_commit_callbacks(execute=True):
        notify([user("member1")], "会议通知")
    assert len(mail.outbox) == 1 and LoggingSMSBackend.sent == []


# --- audit log --------------------------------------------------------------------------------------------


@pytest.fixture
def entry(user):
    staff = user("staff")
    return audit.record(staff, "test.change", staff, before={"a": 1}, after={"a": 2})


def test_audit_entry_cannot_be_changed_or_deleted_through_the_orm(entry):
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.change"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditentry SET action = 'tampered' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_update_and_delete_of_audit_entries(entry, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, action="test.change").exists()


def test_audit_records_who_what_and_where(client, user):
    client.post(reverse("login"), {"username": "member1", "password": "Demo@2026"}, REMOTE_ADDR="10.1.2.3")
    e = AuditEntry.objects.filter(action="auth.login").first()
    assert (e.actor.username, e.actor_name, e.organisation.name, e.ip) == (
        "member1",
        "张明华",
        "青川县政协",
        "10.1.2.3",
    )


# --- scheduler --------------------------------------------------------------------------------------------


def test_scheduler_runs_a_job_once_per_period_however_often_it_is_called(db, monkeypatch):
    monkeypatch.setattr(scheduler, "JOBS", {})
    calls = []

    @scheduler.register("test.daily_check", every="daily", label="测试")
    def daily_check():
        calls.append(1)
        return "检查了 3 件"

    now = timezone.make_aware(datetime.datetime(2026, 3, 2, 8, 0))
    assert scheduler.run_due(now) == ["test.daily_check"]
    assert scheduler.run_due(now) == []
    assert scheduler.run_due(now + datetime.timedelta(hours=10)) == []
    assert len(calls) == 1
    run = ScheduledRun.objects.get(job="test.daily_check", period="2026-03-02")
    assert run.result == "检查了 3 件" and run.finished_at is not None

    assert scheduler.run_due(now + datetime.timedelta(days=1)) == ["test.daily_check"]
    assert len(calls) == 2


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(db, monkeypatch):
    monkeypatch.setattr(scheduler, "JOBS", {})
    done = []
    scheduler.register("test.broken", every="hourly")(lambda: 1 / 0)
    scheduler.register("test.fine", every="hourly")(lambda: done.append(1))
    assert scheduler.run_due() == ["test.broken", "test.fine"]
    assert done == [1]
    assert ScheduledRun.objects.get(job="test.broken").result.startswith("error:")


# --- numbering ----------------------------------------------------------------------------------------------


def test_numbers_count_up_without_gaps_and_a_rolled_back_number_is_reused(db):
    county = Organisation.objects.get(code="demo-county")
    city = Organisation.objects.get(code="demo-city")
    assert [next_number(county, "test:2026") for _ in range(3)] == [1, 2, 3]
    assert next_number(county, "test:other") == 1
    assert next_number(city, "test:2026") == 1

    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        with transaction.atomic():
            assert next_number(county, "test:2026") == 4
            raise Abort
    assert next_number(county, "test:2026") == 4


# --- uploads --------------------------------------------------------------------------------------------------


def test_a_png_named_pdf_is_rejected(user):
    fake = SimpleUploadedFile("报告.pdf", PNG, content_type="application/pdf")
    with pytest.raises(Invalid) as exc:
        validate(fake, DOCUMENTS)
    assert "文件类型不符" in exc.value.message


def test_a_real_pdf_is_stored_under_a_generated_name(user):
    staff = user("staff")
    att = save_attachment(
        SimpleUploadedFile("../../报告.pdf", PDF), target=staff.organisation, user=staff, allowed=DOCUMENTS
    )
    assert att.original_name == "报告.pdf" and att.mime_type == "application/pdf" and att.size == len(PDF)
    assert "报告" not in att.file.name and att.file.name.endswith(".pdf")


def test_a_pdf_extension_on_a_png_upload_of_images_is_rejected_too(user):
    fake = SimpleUploadedFile("photo.pdf", PNG)
    with pytest.raises(Invalid) as exc:
        validate(fake, ("png", "jpg"))
    assert "扩展名" in exc.value.message


# --- API token login --------------------------------------------------------------------------------------------


def token_for(client, username, password="Demo@2026"):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def test_api_token_login_and_me(client, db):
    r = token_for(client, "staff")
    assert r.status_code == 200
    token = r.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "staff" and body["name"] == "李晓梅"
    assert body["roles"] == ["staff"]
    assert body["organisation"]["name"] == "青川县政协"
    assert isinstance(body["id"], int)


def test_api_token_by_phone_number(client, user):
    r = token_for(client, user("member1").phone)
    assert r.status_code == 200 and r.json()["token"]


def test_api_wrong_password_is_401_in_chinese(client, db):
    r = token_for(client, "staff", "wrong-password")
    assert r.status_code == 401
    assert r.json()["detail"] == "用户名/手机号或密码错误。"


def test_api_without_or_with_a_bad_token_is_401(client, db):
    assert client.get("/api/v1/me").status_code == 401
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and "令牌" in r.json()["detail"]


def test_api_locks_the_account_after_five_failures(client, db):
    for _ in range(4):
        assert token_for(client, "member2", "wrong").status_code == 401
    r = token_for(client, "member2", "wrong")  # the fifth failure locks the account
    assert r.status_code == 429
    assert r.json()["code"] == "locked" and "锁定" in r.json()["detail"]
    r = token_for(client, "member2")  # the right password, too late
    assert r.status_code == 429 and "锁定" in r.json()["detail"]
    # Another account is not affected.
    assert token_for(client, "member3").status_code == 200


def test_the_login_page_shows_the_lockout_in_chinese(client, db):
    for _ in range(5):
        client.post(reverse("login"), {"username": "member2", "password": "wrong"})
    r = client.post(reverse("login"), {"username": "member2", "password": "Demo@2026"})
    assert r.status_code == 429 and "已被临时锁定" in r.content.decode()


# --- inbox --------------------------------------------------------------------------------------------------------


def test_inbox_shows_the_unread_count_and_reading_lowers_it(client_for, user):
    member = user("member1")
    before = Notification.objects.filter(user=member, read_at__isnull=True).count()
    notes = notify([member], "第一条") + notify([member], "第二条") + notify([member], "第三条")
    c = client_for("member1")
    assert f'id="unread-badge">{before + 3}<' in c.get("/").content.decode()

    unread = c.get(reverse("core:inbox") + "?unread=1").content.decode()
    assert all(t in unread for t in ("第一条", "第二条", "第三条"))

    r = c.post(reverse("core:notification_read", args=[notes[0].pk]))
    assert r.status_code == 302
    assert f'id="unread-badge">{before + 2}<' in c.get("/").content.decode()
    assert "第一条" not in c.get(reverse("core:inbox") + "?unread=1").content.decode()

    c.post(reverse("core:inbox_read_all"), follow=True)
    assert "unread-badge" not in c.get("/").content.decode()
    assert "第二条" not in c.get(reverse("core:inbox") + "?unread=1").content.decode()


def test_a_user_cannot_read_someone_elses_notification(client_for, user):
    note = notify([user("member2")], "他人的消息")[0]
    r = client_for("member1").post(reverse("core:notification_read", args=[note.pk]))
    assert r.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_inbox_runs_a_constant_number_of_queries(client_for, user, django_assert_max_num_queries):
    member = user("member1")
    notify([member], "一")
    c = client_for("member1")
    c.get(reverse("core:inbox"))  # warm up (session, content types)
    with django_assert_max_num_queries(12) as few:
        c.get(reverse("core:inbox"))
    for i in range(25):
        notify([member], f"消息{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(reverse("core:inbox"))


# --- audit pages ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "secadmin", "staff", "leader", "member1", "handler1"])
def test_audit_pages_are_hidden_from_everyone_but_the_auditor(client_for, username):
    c = client_for(username)
    assert c.get(reverse("core:audit")).status_code == 404
    assert c.get(reverse("core:audit_export")).status_code == 404


def test_auditor_sees_and_searches_the_audit_log(client_for, entry):
    c = client_for("auditor")
    page = c.get(reverse("core:audit")).content.decode()
    assert "审计日志" in page and "test.change" in page
    filtered = c.get(reverse("core:audit"), {"action": "auth."}).content.decode()
    assert "test.change" not in filtered


def test_auditor_does_not_see_another_countys_entries(client_for, user):
    other = user("other")
    audit.record(other, "test.elsewhere", other)
    page = client_for("auditor").get(reverse("core:audit")).content.decode()
    assert "test.elsewhere" not in page


def test_audit_export_opens_in_excel_and_is_itself_audited(client_for, entry):
    r = client_for("auditor").get(reverse("core:audit_export"))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(io.BytesIO(r.content), read_only=True)["审计日志"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "操作人", "组织", "操作")
    # 操作 in Chinese (an unnamed code reads as itself), the code beside it, and what changed.
    assert any(row[4] == "test.change" and row[1] == "李晓梅" and row[8] == "a：1 → 2" for row in rows[1:])
    assert AuditEntry.objects.filter(action="audit.export", actor__username="auditor").exists()


def test_audit_page_runs_a_constant_number_of_queries(client_for, user, django_assert_max_num_queries):
    staff = user("staff")
    audit.record(staff, "test.one", staff)
    c = client_for("auditor")
    c.get(reverse("core:audit"))
    with django_assert_max_num_queries(12) as few:
        c.get(reverse("core:audit"))
    for i in range(30):
        audit.record(staff, f"test.many{i}", staff)
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(reverse("core:audit"))
