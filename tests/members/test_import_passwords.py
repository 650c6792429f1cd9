"""Imported members can log in: the import task gives each new account a random initial password (to be
changed at the first login) and keeps the list, encrypted, on the import for one download by the
administrator who ran it (anybody else: 404); then, or after at most 7 days, the passwords are erased.
The passwords never reach the logs, the audit log or the notifications."""

import datetime
import io
import json
import logging

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhengxie.core.models import AuditEntry, Notification, Role, User
from zhengxie.members import roster
from zhengxie.members.models import RosterImport

from .conftest import row, upload, xlsx

IMPORT = "/manage/members/import/"


def _import(client, world, rows, capture):
    with capture(execute=True):
        r = client.post(IMPORT, {"organisation": world.county.pk, "file": upload(xlsx(rows))})
    assert r.status_code == 302
    return RosterImport.objects.latest("created_at")


def _rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def other_admin(world):
    u = User.objects.create(username="admin2", name="另一管理员", organisation=world.city)
    u.set_roles([Role.SYSADMIN])
    return u


def test_imported_members_log_in_with_the_password_from_the_one_time_file(
    world, client_for, other_admin, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    admin = client_for("admin")
    job = _import(
        admin,
        world,
        [row(name="初始甲", phone="13600000001"), row(name="初始乙", gender="女", phone="13600000002")],
        django_capture_on_commit_callbacks,
    )
    assert job.status == "done" and job.imported == 2
    assert bytes(job.passwords) and job.passwords_until > timezone.now() + datetime.timedelta(days=6)
    page = admin.get(f"{IMPORT}{job.pk}/").content.decode()
    assert "委员账号的初始密码" in page and "只能下载一次" in page and "首次登录后须先修改密码" in page
    url = reverse("members:roster_import_passwords", args=[job.pk])
    assert f'action="{url}"' in page

    # Nobody but the importer gets it, not even another system administrator; nor by GET.
    other = Client()
    other.force_login(other_admin)
    assert other.post(url).status_code == 404
    assert client_for("staff").post(url).status_code == 404
    assert admin.get(url).status_code == 405
    job.refresh_from_db()
    assert bytes(job.passwords) and job.passwords_downloaded_at is None

    r = admin.post(url)
    assert r.status_code == 200 and r["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in r["Content-Disposition"] and r["Cache-Control"] == "no-store"
    header, *lines = _rows(r.content)
    assert header == ("姓名", "用户名（手机号）", "初始密码")
    assert [(n, u) for n, u, _ in lines] == [("初始甲", "13600000001"), ("初始乙", "13600000002")]
    passwords = [p for _, _, p in lines]

    # Wiped once handed out, and audited (without the passwords).
    job.refresh_from_db()
    assert bytes(job.passwords) == b"" and job.passwords_until is None and job.passwords_downloaded_at
    entry = AuditEntry.objects.get(action="members.roster_passwords_download", target_id=str(job.pk))
    assert entry.actor.username == "admin" and entry.after["count"] == 2
    r = admin.post(url)
    assert r.status_code == 302 and r.url == f"{IMPORT}{job.pk}/"
    page = admin.get(r.url).content.decode()
    assert "下载过" in page and 'id="passwords-downloaded"' in page and f'action="{url}"' not in page
    assert AuditEntry.objects.filter(action="members.roster_passwords_download").count() == 1

    # Each new member logs in with the password from the file and must change it first.
    for _, username, password in lines:
        c = Client()
        r = c.post(reverse("login"), {"username": username, "password": password})
        assert r.status_code == 302 and "_auth_user_id" in c.session, username
        assert c.get("/").url == reverse("password_change")
        r = c.post(
            reverse("password_change"),
            {"old_password": password, "new_password1": "Xin@Mima2027", "new_password2": "Xin@Mima2027"},
        )
        assert r.status_code == 302
        assert c.get("/").status_code == 200

    # The passwords are nowhere else: not logged, not audited, not in notifications or on the import.
    stored = json.dumps(list(AuditEntry.objects.values_list("before", "after")), ensure_ascii=False)
    notes = " ".join(Notification.objects.values_list("body", flat=True))
    job.refresh_from_db()
    for p in passwords:
        assert p not in caplog.text and p not in stored and p not in notes
        assert p not in json.dumps([job.errors, job.error, job.stage], ensure_ascii=False)


def test_passwords_not_downloaded_within_7_days_are_wiped(
    world, client_for, user, django_capture_on_commit_callbacks
):
    from zhengxie.core.scheduler import JOBS
    from zhengxie.members import jobs  # noqa: F401  (registers the daily job)

    admin = client_for("admin")
    job = _import(admin, world, [row(name="过期甲", phone="13600000011")], django_capture_on_commit_callbacks)
    assert JOBS["members.purge_roster_files"].func()["passwords"] == 0  # not yet due
    job.refresh_from_db()
    assert bytes(job.passwords)

    later = timezone.now() + datetime.timedelta(days=roster.PASSWORDS_KEEP_DAYS, minutes=1)
    assert JOBS["members.purge_roster_files"].func(now=later)["passwords"] == 1
    job.refresh_from_db()
    assert bytes(job.passwords) == b"" and job.passwords_until is None and job.passwords_downloaded_at is None
    url = reverse("members:roster_import_passwords", args=[job.pk])
    r = admin.post(url, follow=True)
    assert "已自动清除" in r.content.decode() and 'id="passwords-wiped"' in r.content.decode()
    assert not AuditEntry.objects.filter(action="members.roster_passwords_download").exists()


def test_an_expired_file_is_refused_and_wiped_even_before_the_daily_job(
    world, client_for, django_capture_on_commit_callbacks
):
    admin = client_for("admin")
    job = _import(admin, world, [row(name="过期乙", phone="13600000021")], django_capture_on_commit_callbacks)
    RosterImport.objects.filter(pk=job.pk).update(
        passwords_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    r = admin.post(reverse("members:roster_import_passwords", args=[job.pk]))
    assert r.status_code == 302
    job.refresh_from_db()
    assert bytes(job.passwords) == b"" and job.passwords_until is None


def test_a_rejected_import_keeps_no_passwords(world, client_for, django_capture_on_commit_callbacks):
    admin = client_for("admin")
    job = _import(
        admin,
        world,
        [row(name="错行", gender="未知", phone="13600000031")],
        django_capture_on_commit_callbacks,
    )
    assert job.status == "rejected" and bytes(job.passwords) == b"" and job.passwords_until is None
    assert "初始密码" not in admin.get(f"{IMPORT}{job.pk}/").content.decode()
    assert admin.post(reverse("members:roster_import_passwords", args=[job.pk])).status_code == 302


def test_the_file_keeps_passwords_that_look_like_formulas_as_text(world, user):
    """A password may start with "=" or "+": the file must hold it as text, not as a formula."""
    from zhengxie.members.models import RosterImport as Job

    job = Job.objects.create(user=user("admin"), organisation=world.county, status="done", imported=2)
    roster._keep_passwords(
        job.pk, [("公式甲", "13600000041", "=Ab3#kXy9q2"), ("公式乙", "13600000042", "+Qw8@zzP")]
    )
    content, _ = roster.roster_passwords_download(user=user("admin"), import_id=job.pk)
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    assert ws["C2"].value == "=Ab3#kXy9q2" and ws["C2"].data_type == "s"
    assert ws["C3"].value == "+Qw8@zzP"
