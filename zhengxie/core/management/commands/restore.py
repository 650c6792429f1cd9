"""`manage.py restore <file>`: loads an archive made by `manage.py backup` into an empty database.

The target must be a new database on which `manage.py migrate` has run (SQLite or PostgreSQL,
whichever the backup came from) and which holds no data yet: rows are only ever INSERTed, never
updated, so the append-only audit log (whose triggers refuse UPDATE and DELETE) comes back as it
was. Everything loads in one transaction: on any error nothing is kept. Row counts are checked
against the manifest before the commit. Uploaded files are written to MEDIA_ROOT afterwards.

Text stored before the edge refused control characters is cleaned on its way in, as
`manage.py strip_control_chars --apply` would (core.textclean; PostgreSQL could not even hold a NUL),
listed in the output and audited. The audit log keeps its entries as they were, except that a NUL
restored into PostgreSQL is written as ␀ (the entries are named in the audit entry of the restore, and
`audit_verify` accepts exactly that change in them).
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from zhengxie.core import audit, textclean
from zhengxie.core.fields import _fernet

from .backup import (
    DB_MEMBER,
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    VERSION,
    applied_migrations,
    backup_models,
    encrypted_fields,
)


class Command(BaseCommand):
    help = "从 manage.py backup 生成的归档恢复数据库和上传文件（目标须为已迁移的空数据库）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="manage.py backup 生成的归档文件")
        parser.add_argument("--no-media", action="store_true", help="不恢复上传文件")

    def handle(self, *args, path, no_media=False, **opts):
        source = Path(path).expanduser()
        if not source.is_file():
            raise CommandError(f"找不到备份文件：{source}")
        try:
            tar = tarfile.open(source, "r:*")
        except tarfile.TarError as exc:
            raise CommandError(f"不是有效的备份文件：{exc}")
        with tar:
            manifest = self._manifest(tar)
            self._check_schema(manifest)
            models = {m._meta.label_lower: m for m in backup_models()}
            self._check_empty(models.values())
            loaded = self._load(tar, manifest, models, source.name)
            media = 0 if no_media else self._restore_media(tar)
        self._report_cleaned()
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 {len(manifest['counts'])} 类数据共 {sum(loaded.values())} 行"
                + ("" if no_media else f"、{media} 个上传文件")
                + f"（备份时间 {manifest['created_at']}）。"
            )
        )

    # --- checks ----------------------------------------------------------------------------------------

    def _manifest(self, tar: tarfile.TarFile) -> dict:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))
        except (KeyError, AttributeError, ValueError):
            raise CommandError("不是本平台的备份文件（缺少 manifest.json）。")
        if manifest.get("format") != FORMAT:
            raise CommandError("不是本平台的备份文件。")
        if manifest.get("version", 0) > VERSION:
            raise CommandError(
                f"备份格式版本 {manifest['version']} 比本程序支持的 {VERSION} 新：请先升级程序。"
            )
        return manifest

    def _check_schema(self, manifest: dict) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("目标数据库尚未迁移完毕：请先运行 manage.py migrate。")
        here = applied_migrations()
        missing = [
            f"{app}.{name}"
            for app, names in manifest.get("migrations", {}).items()
            for name in names
            if name not in here.get(app, [])
        ]
        if missing:
            raise CommandError(
                "备份来自较新的程序版本（本库缺少迁移 "
                + "、".join(missing[:5])
                + (" 等" if len(missing) > 5 else "")
                + "）：请先升级程序再恢复。"
            )

    def _check_empty(self, models) -> None:
        for model in models:
            n = model._base_manager.count()
            if n:
                raise CommandError(
                    f"目标数据库不是空的（{model._meta.verbose_name}/{model._meta.label_lower} 已有 {n} 行）。"
                    "恢复只能写入新建并已运行 migrate 的空数据库，以免覆盖现有数据和审计日志。"
                )

    # --- loading ---------------------------------------------------------------------------------------

    def _load(self, tar: tarfile.TarFile, manifest: dict, models: dict, name: str) -> dict[str, int]:
        try:
            raw = tar.extractfile(DB_MEMBER)
        except KeyError:
            raw = None
        if raw is None:
            raise CommandError(f"备份文件不完整：缺少 {DB_MEMBER}。")
        unknown = sorted(set(manifest["counts"]) - set(models))
        if unknown:
            raise CommandError("备份中有本程序不认识的数据类型：" + "、".join(unknown) + "。请先升级程序。")
        loaded = {label: 0 for label in manifest["counts"]}
        secret_fields = {label: [f.attname for f in encrypted_fields(m)] for label, m in models.items()}
        fernet = _fernet()
        deferred = []
        self.cleaned: dict[str, int] = {}
        self.marked: list[str] = []
        postgres = connection.vendor == "postgresql"
        stream = io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8")
        try:
            with transaction.atomic(), connection.constraint_checks_disabled():
                for item in serializers.deserialize("jsonl", stream, handle_forward_references=True):
                    obj = item.object
                    label = obj._meta.label_lower
                    for attname in secret_fields.get(label, ()):
                        value = getattr(obj, attname)
                        if value:
                            try:
                                setattr(obj, attname, fernet.decrypt(value.encode()).decode())
                            except InvalidToken:
                                raise CommandError(
                                    "无法解密备份中的个人信息：本机的 FIELD_ENCRYPTION_KEY（或 SECRET_KEY）"
                                    "与备份时不同。请使用原来的密钥。"
                                )
                    if label in textclean.APPEND_ONLY:
                        if postgres and textclean.mark_nul(obj):
                            self.marked.append(str(obj.pk))
                    elif textclean.clean_instance(obj):
                        self.cleaned[label] = self.cleaned.get(label, 0) + 1
                    # INSERT only: never an UPDATE, which the audit log's triggers would refuse.
                    item.save(force_insert=True)
                    if item.deferred_fields:
                        deferred.append(item)
                    loaded[label] = loaded.get(label, 0) + 1
                for item in deferred:
                    item.save_deferred_fields()
                connection.check_constraints(table_names=[m._meta.db_table for m in models.values()])
                wrong = {
                    k: (manifest["counts"].get(k, 0), v)
                    for k, v in loaded.items()
                    if manifest["counts"].get(k, 0) != v
                }
                if wrong:
                    raise CommandError(
                        "恢复的行数与备份清单不符："
                        + "；".join(f"{k} 应为 {a} 行，实为 {b} 行" for k, (a, b) in wrong.items())
                    )
                self._reset_sequences(models.values())
                if self.cleaned or self.marked:
                    audit.record(
                        None,
                        textclean.ACTION,
                        None,
                        after={
                            "restore": name,
                            "rows": self.cleaned,
                            textclean.MARKED: self.marked,
                        },
                    )
        except (IntegrityError, DatabaseError, serializers.base.DeserializationError) as exc:
            raise CommandError(f"恢复失败，数据库未作任何改动：{exc}")
        return loaded

    def _reset_sequences(self, models) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(models))
        if statements:
            with connection.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)

    def _report_cleaned(self) -> None:
        for label, n in sorted(self.cleaned.items()):
            self.stdout.write(
                f"已清除 {label} {n} 行中的控制字符（旧数据，见 manage.py strip_control_chars）。"
            )
        if self.marked:
            self.stdout.write(
                f"{len(self.marked)} 条审计记录含 PostgreSQL 无法保存的 NUL 字符，已记为 ␀：ID "
                + "、".join(self.marked[:50])
                + "（已记入审计日志，manage.py audit_verify 据此核对这些记录的其余内容）。"
            )

    # --- media -----------------------------------------------------------------------------------------

    def _restore_media(self, tar: tarfile.TarFile) -> int:
        root = Path(settings.MEDIA_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        n = 0
        for member in tar.getmembers():
            if not member.name.startswith(MEDIA_PREFIX) or not member.isfile():
                continue
            member.name = member.name[len(MEDIA_PREFIX) :]
            # The "data" filter refuses absolute paths, "..", links and device files.
            tar.extract(member, root, filter="data")
            n += 1
        return n
