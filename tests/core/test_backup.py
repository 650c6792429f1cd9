"""Backup and restore, round trip: `manage.py backup` from the test database (SQLite or PostgreSQL),
then `manage.py restore` in a subprocess into a freshly migrated SQLite file, and the rows compared.
The shared test world is only read, never flushed."""

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from zhengxie.core import audit
from zhengxie.core.fields import _fernet
from zhengxie.core.management.commands.backup import backup_models
from zhengxie.core.models import HandlingUnit
from zhengxie.core.uploads import save_attachment
from zhengxie.members.models import Member

BASE_DIR = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def manage(*args, db: Path, media: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        MEDIA_ROOT=str(media),
        TASKS_BACKEND="immediate",
        DJANGO_SETTINGS_MODULE="zhengxie.settings",
        LOG_LEVEL="WARNING",
    )
    # Without Django's system checks (the URL configuration and the API's schemas: ~1.7 s of each run's
    # ~2.5 s); `manage.py check` is not what these tests are about.
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args, "--skip-checks"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def source_counts() -> dict[str, int]:
    """Rows per table in the test database: every backed-up model and its many-to-many tables."""
    counts = {}
    for model in backup_models():
        counts[model._meta.db_table] = model._base_manager.count()
        for f in model._meta.many_to_many:
            through = f.remote_field.through
            if through._meta.auto_created:
                counts[through._meta.db_table] = through._base_manager.count()
    return counts


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory, migrated_sqlite) -> Path:
    """An empty, migrated SQLite file; each test restores into its own copy. The copy of the test database
    that `migrate` left before the demo was loaded (tests/conftest.py) when there is one: the same schema,
    migration records and rows (content types, permissions) as a fresh `manage.py migrate`; else made
    here once for this module (a subprocess `migrate` takes ~16 s)."""
    folder = tmp_path_factory.mktemp("migrated")
    db = folder / "empty.sqlite3"
    if migrated_sqlite is not None:
        shutil.copyfile(migrated_sqlite, db)
        return db
    r = manage("migrate", "--noinput", "-v0", db=db, media=folder / "media")
    assert r.returncode == 0, r.stderr
    return db


def empty_database(migrated_file: Path, tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "restored.sqlite3"
    shutil.copyfile(migrated_file, db)
    return db, tmp_path / "restored-media"


@pytest.fixture
def world_with_extras(user, settings):
    """The demo world plus what a backup must carry: an audit entry, an uploaded file on an object."""
    admin = user("admin")
    entry = audit.record(admin, "test.backup", admin, after={"说明": "备份测试"})
    # Permissions are referred to by natural key (their ids differ from one database to another).
    perm = Permission.objects.get(codename="view_auditentry")
    Group.objects.get(name="auditor").permissions.add(perm)
    user("auditor").user_permissions.add(perm)
    unit = HandlingUnit.objects.get(name="县教育局")
    att = save_attachment(
        SimpleUploadedFile("办理报告.pdf", PDF),
        target=unit,
        user=user("staff"),
        purpose="test",
        allowed=("pdf",),
    )
    return entry, att


def test_backup_restores_every_row_file_and_secret_into_an_empty_database(
    world_with_extras, migrated_file, tmp_path
):
    entry, att = world_with_extras
    archive = tmp_path / "zhengxie.tar.gz"
    call_command("backup", str(archive), stdout=open(os.devnull, "w"))
    expected = source_counts()
    member = Member.objects.exclude(id_number="").order_by("pk").first()

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        dump = tar.extractfile("db.jsonl.gz").read()
    assert f"media/{att.file.name}" in names
    assert manifest["counts"]["core.auditentry"] == expected["core_auditentry"] >= 1
    # Personal data stays encrypted inside the archive.
    assert member.id_number.encode() not in gzip.decompress(dump)

    db, media = empty_database(migrated_file, tmp_path)
    r = manage("restore", str(archive), db=db, media=media)
    assert r.returncode == 0, r.stderr
    assert "已恢复" in r.stdout

    con = sqlite3.connect(db)
    try:
        restored = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in expected}
        assert restored == expected
        action, after = con.execute(
            "select action, after from core_auditentry where id = ?", (entry.pk,)
        ).fetchone()
        assert action == "test.backup" and json.loads(after) == {"说明": "备份测试"}
        secret = con.execute("select id_number from members_member where id = ?", (member.pk,)).fetchone()[0]
        assert _fernet().decrypt(secret.encode()).decode() == member.id_number
        ct_app, ct_model = con.execute(
            "select ct.app_label, ct.model from core_attachment a join django_content_type ct "
            "on ct.id = a.content_type_id where a.id = ?",
            (att.pk,),
        ).fetchone()
        assert (ct_app, ct_model) == ("core", "handlingunit")
        assert con.execute(
            "select p.codename from auth_group_permissions gp join auth_group g on g.id = gp.group_id "
            "join auth_permission p on p.id = gp.permission_id where g.name = 'auditor'"
        ).fetchall() == [("view_auditentry",)]
    finally:
        con.close()
    assert (media / att.file.name).read_bytes() == PDF
    # The audit log's hash chain holds in the restored database (times keep their microseconds).
    r = manage("audit_verify", db=db, media=media)
    assert r.returncode == 0, r.stderr

    # A second restore into the now full database is refused, and changes nothing.
    r = manage("restore", str(archive), db=db, media=media)
    assert r.returncode != 0
    assert "目标数据库不是空的" in r.stderr
    con = sqlite3.connect(db)
    try:
        assert (
            con.execute("select count(*) from core_auditentry").fetchone()[0] == expected["core_auditentry"]
        )
    finally:
        con.close()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "not-a-backup.tar"
    with tarfile.open(bogus, "w") as tar:
        tar.add(__file__, arcname="hello.py")
    db, media = tmp_path / "db.sqlite3", tmp_path / "media"
    r = manage("restore", str(bogus), db=db, media=media)
    assert r.returncode != 0
    assert "不是本平台的备份文件" in r.stderr


def test_restore_cleans_control_characters_left_in_old_rows(user, migrated_file, tmp_path):
    """Issue 14, finding 1: rows stored before the edge refused control characters are cleaned on their
    way in (as `manage.py strip_control_chars --apply` would: PostgreSQL could not hold a NUL), audited;
    the audit log comes back as it was and its chain holds."""
    from django.db import connection

    from zhengxie.proposals.models import Proposal

    nul = "\x00" if connection.vendor == "sqlite" else ""
    p = Proposal.objects.order_by("pk").first()
    Proposal.objects.filter(pk=p.pk).update(title=f"关于\x01旧{nul}数据的提案", reasons="一是\t二是\x0b")
    p.refresh_from_db()
    entry = audit.record(user("staff"), "test.old", p)  # its object names the title, \x01 and all
    archive = tmp_path / "old.tar.gz"
    call_command("backup", str(archive), "--no-media", stdout=open(os.devnull, "w"))
    db, media = empty_database(migrated_file, tmp_path)
    r = manage("restore", str(archive), "--no-media", db=db, media=media)
    assert r.returncode == 0, r.stderr
    assert "已清除 proposals.proposal 1 行中的控制字符" in r.stdout
    con = sqlite3.connect(db)
    try:
        title, reasons = con.execute(
            "select title, reasons from proposals_proposal where id = ?", (p.pk,)
        ).fetchone()
        assert (title, reasons) == ("关于旧数据的提案", "一是\t二是")
        (repr_,) = con.execute("select target_repr from core_auditentry where id = ?", (entry.pk,)).fetchone()
        assert "\x01" in repr_  # the audit log is never changed
        (after,) = con.execute(
            "select after from core_auditentry where action = 'core.strip_control_chars'"
        ).fetchone()
        assert json.loads(after)["rows"] == {"proposals.proposal": 1}
    finally:
        con.close()
    r = manage("audit_verify", db=db, media=media)
    assert r.returncode == 0, r.stderr
