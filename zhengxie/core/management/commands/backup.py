"""`manage.py backup <file>`: the database and the uploaded files in one archive, engine-neutral.

The archive is a tar file (gzip-compressed when the name ends in .gz or .tgz) holding:

  manifest.json    format, version, time, source engine, applied migrations, rows per model
  db.jsonl.gz      every row of our apps, auth groups and the admin log, one JSON object a line
                   (Django's serialization, so a SQLite backup restores into PostgreSQL and back)
  media/...        the files under MEDIA_ROOT (attachments, exports)

Foreign keys to content types and permissions are written as natural keys (their ids differ between
databases); every other row keeps its primary key, so links and numbers survive. Personal data in
encrypted fields stays encrypted in the archive: a restore needs the same FIELD_ENCRYPTION_KEY (or
SECRET_KEY when no dedicated key is set). Sessions, login-failure records and the task queue are not
kept. See `manage.py restore`.
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.jsonl import Serializer as JSONLSerializer
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from zhengxie.core.fields import EncryptedTextField

FORMAT = "zhengxie-backup"
VERSION = 1
DB_MEMBER = "db.jsonl.gz"
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
# Besides every model of the zhengxie.* apps.
EXTRA_MODELS = ["auth.group", "admin.logentry"]
# Referenced by natural key: their ids are made by `migrate` and differ from one database to another.
NATURAL_KEY_MODELS = ["contenttypes.contenttype", "auth.permission"]
# Derived, not data: the kept figures' version tokens (core.datacache) are made anew by the first write.
NOT_BACKED_UP = {"core.dataversion"}


def backup_models() -> list:
    """The models whose rows a backup holds, in dependency order."""
    app_list = {}
    for config in apps.get_app_configs():
        if config.name.startswith("zhengxie."):
            app_list[config] = [
                m
                for m in config.get_models()
                if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in NOT_BACKED_UP
            ]
    for label in EXTRA_MODELS:
        model = apps.get_model(label)
        app_list.setdefault(model._meta.app_config, []).append(model)
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def encrypted_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def applied_migrations() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        out.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(out.items())}


class Serializer(JSONLSerializer):
    """JSON lines with natural keys only for content types and permissions, and encrypted fields
    written as stored (ciphertext), never in clear; times keep their microseconds."""

    def start_serialization(self):
        super().start_serialization()
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        self.natural = {
            "contenttypes.contenttype": {ct.pk: list(ct.natural_key()) for ct in ContentType.objects.all()},
            "auth.permission": {
                p.pk: list(p.natural_key()) for p in Permission.objects.select_related("content_type")
            },
        }

    def handle_field(self, obj, field):
        value = field.value_from_object(obj)
        if isinstance(field, EncryptedTextField):
            self._current[field.name] = field.get_prep_value(value) if value else value
        elif isinstance(value, (datetime.datetime, datetime.time)):
            # Whole microseconds (Django's JSON encoder keeps milliseconds): the audit log's hash chain
            # covers its entries' times, and a restored log must still pass `manage.py audit_verify`.
            self._current[field.name] = value.isoformat()
        else:
            super().handle_field(obj, field)

    def handle_fk_field(self, obj, field):
        keys = self.natural.get(field.remote_field.model._meta.label_lower)
        value = getattr(obj, field.attname)
        if keys is not None and value is not None:
            self._current[field.name] = keys[value]
        else:
            self._current[field.name] = self._value_from_field(obj, field)

    def handle_m2m_field(self, obj, field):
        if not field.remote_field.through._meta.auto_created:
            return  # an explicit through model is dumped as a model of its own
        cached = getattr(obj, "_prefetched_objects_cache", {}).get(field.name)
        pks = (
            [o.pk for o in cached]
            if cached is not None
            else list(getattr(obj, field.name).values_list("pk", flat=True))
        )
        keys = self.natural.get(field.remote_field.model._meta.label_lower)
        self._current[field.name] = [keys[pk] for pk in pks] if keys is not None else pks


class Command(BaseCommand):
    help = "备份数据库（与数据库类型无关的 JSON）和上传文件到一个归档文件；用 manage.py restore 恢复。"

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="归档文件，如 var/backups/zhengxie-2026-01-31.tar（以 .gz 结尾则压缩）"
        )
        parser.add_argument("--no-media", action="store_true", help="不包含上传文件（MEDIA_ROOT）")

    def handle(self, *args, path, no_media=False, **opts):
        target = Path(path).expanduser().resolve()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"无法创建目录 {target.parent}：{exc}")
        counts: dict[str, int] = {}
        with tempfile.TemporaryDirectory(prefix="zx-backup-") as tmp:
            dump = Path(tmp) / DB_MEMBER
            self._dump(dump, counts)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "engine": connection.vendor,
                "migrations": applied_migrations(),
                "counts": counts,
                "encrypted_fields": [
                    f"{m._meta.label_lower}.{f.name}" for m in backup_models() for f in encrypted_fields(m)
                ],
                "media": not no_media,
            }
            partial = target.with_name(target.name + ".partial")
            mode = "w:gz" if target.name.endswith((".gz", ".tgz")) else "w"
            try:
                with tarfile.open(partial, mode) as tar:
                    media_files, media_bytes = (0, 0) if no_media else self._media_stats()
                    manifest.update(media_files=media_files, media_bytes=media_bytes)
                    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime = len(data), int(timezone.now().timestamp())
                    tar.addfile(info, io.BytesIO(data))
                    tar.add(dump, arcname=DB_MEMBER)
                    if not no_media:
                        self._add_media(tar)
                os.replace(partial, target)
            finally:
                if partial.exists():
                    partial.unlink()
        rows = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份 {len(counts)} 类数据共 {rows} 行"
                + ("" if no_media else f"、{manifest['media_files']} 个上传文件")
                + f"到 {target}"
            )
        )

    def _dump(self, dump: Path, counts: dict[str, int]) -> None:
        def rows(model):
            qs = model._base_manager.order_by(model._meta.pk.name)
            m2m = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
            if m2m:
                qs = qs.prefetch_related(*m2m)
            label = model._meta.label_lower
            counts[label] = 0
            for obj in qs.iterator(chunk_size=2000):
                counts[label] += 1
                yield obj

        def all_rows():
            for model in backup_models():
                yield from rows(model)

        # One consistent snapshot of every table (PostgreSQL: repeatable read; SQLite: one transaction).
        with transaction.atomic():
            outermost = len(connection.atomic_blocks) == 1  # not inside a caller's transaction (a test)
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            with gzip.open(dump, "wt", encoding="utf-8") as fh:
                Serializer().serialize(all_rows(), stream=fh)

    def _media_files(self):
        root = Path(settings.MEDIA_ROOT)
        if not root.is_dir():
            return
        for dirpath, _dirs, files in os.walk(root):
            for name in sorted(files):
                p = Path(dirpath) / name
                if p.is_file() and not p.is_symlink():
                    yield p, p.relative_to(root).as_posix()

    def _media_stats(self) -> tuple[int, int]:
        n = size = 0
        for p, _rel in self._media_files():
            n += 1
            size += p.stat().st_size
        return n, size

    def _add_media(self, tar: tarfile.TarFile) -> None:
        for p, rel in self._media_files():
            tar.add(p, arcname=MEDIA_PREFIX + rel, recursive=False)
