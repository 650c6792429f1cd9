"""The member roster as a spreadsheet: template, import (all rows or nothing) and export.

Import: every row is checked first and a row-by-row report (row number, column, problem) comes back;
only when no row has a problem are the accounts and members created, in one transaction. The pages run
it in the background: `roster_import_start` checks the upload and queues `run_roster_import`, which
records its progress and outcome on a `RosterImport` row that the page polls.

Export: a kind of the one export pipeline (`zhengxie.core.exports`): a small roster (up to
EXPORT_INLINE_MAX_ROWS members) is answered at once, a big one is built in the background after a
confirmation (`roster_export_start`, the core's progress page).
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import audit, exports
from zhengxie.core.errors import Forbidden, Invalid
from zhengxie.core.models import Export, Organisation, Role, User
from zhengxie.core.permissions import in_scope
from zhengxie.core.xlsx import Book

from .models import Member, Party, RosterImport, Sector, SpecialCommittee, Term

logger = logging.getLogger(__name__)

EXPORT_KIND = "members.roster_export"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5000
PROGRESS_EVERY = 250


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""


COLUMNS = [
    Column("name", "姓名", True, "必填"),
    Column("gender", "性别", True, "必填：男 或 女"),
    Column("ethnicity", "民族", False, "默认 汉族"),
    Column("birth_date", "出生日期", False, "如 1975-03-08；不填时按身份证号推算"),
    Column("party", "党派", False, "如 中共、民盟、无党派"),
    Column("sector", "界别", True, "必填，须为本组织已有的界别"),
    Column("committees", "专委会", False, "可填多个，以“、”或“,”分隔，须为本组织已有的专委会"),
    Column("liaison_group", "乡镇联络组", False, "须为本组织下已有的联络组"),
    Column("position", "政协职务", False, "如 主席、副主席、常委、委员"),
    Column("is_standing", "常委", False, "是 或 否"),
    Column("employer", "工作单位"),
    Column("job_title", "职务职称"),
    Column("education", "学历"),
    Column("phone", "手机号", True, "必填，11 位，不得与已有账号重复；用于登录"),
    Column("id_number", "身份证号", False, "18 位，请以文本格式填写"),
    Column("address", "通讯地址"),
    Column("code", "委员编号"),
    Column("status", "状态", False, "在任、暂停 或 退出，默认 在任"),
]
HEADERS = {c.header: c for c in COLUMNS}
GENDERS = {"男": Member.Gender.MALE, "女": Member.Gender.FEMALE}
STATUSES = {label: value for value, label in Member.Status.choices}
YES = {"是", "Y", "y", "YES", "yes", "1", "√", "TRUE", "True", "true"}
NO = {"否", "N", "n", "NO", "no", "0", "FALSE", "False", "false", ""}
SPLIT_RE = re.compile(r"[、,，;；]")
PHONE_RE = re.compile(r"^1\d{10}$")
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[Member] = field(default_factory=list)
    # (name, username, initial password) of each new account, to be handed over once; never logged.
    passwords: list[tuple[str, str, str]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_id_number(value: str) -> str:
    """'' when the 18-character ID number is well formed (date and check digit), else the problem."""
    v = (value or "").strip().upper()
    if len(v) != 18:
        return "身份证号须为 18 位。"
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        return "身份证号格式有误：前 17 位须为数字，最后一位为数字或 X。"
    try:
        datetime.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效。"
    if ID_CHECK[sum(int(d) * w for d, w in zip(v[:17], ID_WEIGHTS, strict=True)) % 11] != v[17]:
        return "身份证号校验码不正确。"
    return ""


def id_birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


def _cell(value) -> str | datetime.date:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    text = value.strip()
    if not text:
        return None
    m = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", text)
    if not m:
        raise ValueError
    return datetime.date(int(m[1]), int(m[2]), int(m[3]))


# --- reading ------------------------------------------------------------------------------------------


def parse_workbook(
    data: bytes, progress: Callable[[int, int], None] | None = None
) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The rows of the first sheet as (row number, {column key: value}); header problems as errors.

    `progress(rows read, rows the sheet says it has)` is called every PROGRESS_EVERY rows."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
        raise Invalid("无法读取该 Excel 文件，请使用下载的模板填写后上传。", field="file")
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        columns: dict[int, Column] = {}
        for i, text in enumerate(header):
            name = re.sub(r"[\s*＊]", "", str(text or ""))
            if name in HEADERS:
                columns[i] = HEADERS[name]
        errors = [
            RowError(1, c.header, "缺少必填列。") for c in COLUMNS if c.required and c not in columns.values()
        ]
        result: list[tuple[int, dict]] = []
        expected = ws.max_row or 0
        for n, values in enumerate(rows, start=2):
            if progress is not None and n % PROGRESS_EVERY == 0 and expected:
                progress(min(n, expected), expected)
            record = {c.key: _cell(values[i]) if i < len(values) else "" for i, c in columns.items()}
            if not any(v not in ("", None) for v in record.values()):
                continue
            if len(result) >= MAX_ROWS:
                errors.append(RowError(n, "", f"行数超过上限：一次最多导入 {MAX_ROWS} 行，请分批导入。"))
                break
            result.append((n, record))
    finally:
        wb.close()
    if not errors and not result:
        errors.append(RowError(2, "", "文件中没有委员数据。"))
    return result, errors


def _lookup(objs, *attrs) -> dict[str, object]:
    table = {}
    for o in objs:
        for a in attrs:
            v = getattr(o, a, "")
            if v:
                table.setdefault(v, o)
    return table


def validate_rows(
    organisation: Organisation,
    rows: list[tuple[int, dict]],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[dict], list[RowError]]:
    """Check every row against the organisation's lists and the accounts already present.

    `progress(done, total)` is called every PROGRESS_EVERY rows."""
    sectors = _lookup(Sector.objects.filter(organisation=organisation), "name")
    committees = _lookup(SpecialCommittee.objects.filter(organisation=organisation), "name")
    groups = _lookup(
        Organisation.objects.filter(path__startswith=organisation.path, kind=Organisation.Kind.LIAISON),
        "name",
        "short_name",
    )
    parties = _lookup(Party.objects.all(), "name", "short_name")
    phones = {str(r.get("phone", "")) for _, r in rows if r.get("phone")}
    taken = set()
    for phone, username in User.objects.filter(Q(phone__in=phones) | Q(username__in=phones)).values_list(
        "phone", "username"
    ):
        taken.update({phone, username})
    taken.update(Member.objects.filter(phone__in=phones).values_list("phone", flat=True))
    max_len = {f.name: f.max_length for f in Member._meta.get_fields() if getattr(f, "max_length", None)}

    errors: list[RowError] = []
    cleaned: list[dict] = []
    seen_phone: dict[str, int] = {}
    seen_id: dict[str, int] = {}
    for done, (n, raw) in enumerate(rows):
        if progress is not None and done and done % PROGRESS_EVERY == 0:
            progress(done, len(rows))
        row_errors: list[RowError] = []

        def err(column: str, message: str, n=n, row_errors=row_errors):
            row_errors.append(RowError(n, column, message))

        def text(key: str, raw=raw) -> str:
            v = raw.get(key, "")
            return v.isoformat() if isinstance(v, datetime.date) else str(v).strip()

        out: dict = {"row": n}
        name = text("name")
        if not name:
            err("姓名", "姓名不能为空。")
        out["name"] = name
        gender = text("gender")
        if gender not in GENDERS:
            err("性别", f"性别须为“男”或“女”，而不是“{gender}”。" if gender else "性别不能为空。")
        out["gender"] = GENDERS.get(gender)
        out["ethnicity"] = text("ethnicity") or "汉族"

        sector_name = text("sector")
        out["sector"] = sectors.get(sector_name)
        if not sector_name:
            err("界别", "界别不能为空。")
        elif out["sector"] is None:
            err("界别", f"界别“{sector_name}”在{organisation.name}不存在。")

        out["committees"] = []
        for cname in (c.strip() for c in SPLIT_RE.split(text("committees"))):
            if not cname:
                continue
            c = committees.get(cname)
            if c is None:
                err("专委会", f"专委会“{cname}”不存在。")
            elif c not in out["committees"]:
                out["committees"].append(c)

        group_name = text("liaison_group")
        out["liaison_group"] = groups.get(group_name) if group_name else None
        if group_name and out["liaison_group"] is None:
            err("乡镇联络组", f"乡镇联络组“{group_name}”不存在。")

        party_name = text("party")
        out["party"] = parties.get(party_name) if party_name else None
        if party_name and out["party"] is None:
            err("党派", f"党派“{party_name}”不存在。")

        standing = text("is_standing")
        if standing in YES:
            out["is_standing"] = True
        elif standing in NO:
            out["is_standing"] = False
        else:
            err("常委", f"常委一栏须填“是”或“否”，而不是“{standing}”。")

        status = text("status")
        out["status"] = STATUSES.get(status) if status else Member.Status.ACTIVE
        if out["status"] is None:
            err("状态", f"状态须为 在任、暂停 或 退出，而不是“{status}”。")

        phone = text("phone")
        if not phone:
            err("手机号", "手机号不能为空。")
        elif not PHONE_RE.match(phone):
            err("手机号", f"手机号“{phone}”须为 11 位数字。")
        elif phone in seen_phone:
            err("手机号", f"与第 {seen_phone[phone]} 行手机号重复。")
        elif phone in taken:
            err("手机号", f"手机号 {phone} 已被系统中的账号使用。")
        if phone and phone not in seen_phone:
            seen_phone[phone] = n
        out["phone"] = phone

        id_number = text("id_number").upper()
        if id_number:
            problem = check_id_number(id_number)
            if problem:
                err("身份证号", problem)
            elif id_number in seen_id:
                err("身份证号", f"与第 {seen_id[id_number]} 行身份证号重复。")
            else:
                seen_id[id_number] = n
        out["id_number"] = id_number

        try:
            out["birth_date"] = _parse_date(raw.get("birth_date", ""))
        except ValueError:
            out["birth_date"] = None
            err("出生日期", f"出生日期“{text('birth_date')}”无法识别，请按 1975-03-08 的格式填写。")
        if out["birth_date"] is None and id_number and not check_id_number(id_number):
            out["birth_date"] = id_birth_date(id_number)

        for key in ("position", "employer", "job_title", "education", "address", "code"):
            out[key] = text(key)
        for c in COLUMNS:
            limit = max_len.get(c.key)
            value = out.get(c.key)
            if limit and isinstance(value, str) and len(value) > limit:
                err(c.header, f"{c.header}过长：最多 {limit} 个字符。")
        errors.extend(row_errors)
        cleaned.append(out)
    return cleaned, errors


# --- import -------------------------------------------------------------------------------------------


def _check_target(user, organisation: Organisation) -> None:
    if not user.has_perm("members.import_roster"):
        raise Forbidden("无权导入委员名册。")
    if organisation is None or not in_scope(user, organisation):
        raise Invalid("请选择要导入的政协。", field="organisation")
    if organisation.kind == Organisation.Kind.LIAISON:
        raise Invalid("委员名册须导入到政协，而不是乡镇联络组。", field="organisation")


def import_rows(
    *,
    user,
    organisation: Organisation,
    data: bytes,
    filename: str = "",
    progress: Callable[[int, str], None] | None = None,
    keep_passwords: Callable[[list[tuple[str, str, str]]], None] | None = None,
) -> ImportResult:
    """Read, check and (when every row is right) create the members of one .xlsx file.

    Every row is valid and all are created in one transaction, or nothing is. `progress(percent, stage)`
    is told how far it got; the creation itself is one step (its transaction hides partial work anyway).
    Each account gets a random initial password that must be changed at the first login; they come back in
    `result.passwords` and, inside the creating transaction, go to `keep_passwords` (if given)."""
    from .services import MUST_CHANGE_PASSWORD_AT, generate_password

    progress = progress or (lambda percent, stage: None)
    progress(5, "正在读取文件")
    rows, errors = parse_workbook(
        data, progress=lambda done, total: progress(5 + 30 * done // total, "正在读取文件")
    )
    result = ImportResult(total=len(rows), errors=errors)
    if errors:
        return result
    progress(35, "正在逐行检查")
    cleaned, result.errors = validate_rows(
        organisation, rows, progress=lambda done, total: progress(35 + 40 * done // total, "正在逐行检查")
    )
    if result.errors:
        return result
    # Hashing is slow (by design), so it runs before the transaction, with its own progress.
    progress(75, "正在生成初始密码")
    accounts = []
    for done, r in enumerate(cleaned):
        if done and done % PROGRESS_EVERY == 0:
            progress(75 + 20 * done // len(cleaned), "正在生成初始密码")
        account = User(
            username=r["phone"],
            name=r["name"],
            phone=r["phone"],
            organisation=organisation,
            password_changed_at=MUST_CHANGE_PASSWORD_AT,
        )
        password = generate_password(account)
        account.set_password(password)
        accounts.append(account)
        result.passwords.append((r["name"], account.username, password))
    progress(95, "正在创建账号和委员档案")
    term = Term.objects.filter(organisation=organisation, is_current=True).first()
    with transaction.atomic():
        User.objects.bulk_create(accounts, batch_size=1000)
        phones = [a.username for a in accounts]
        saved = dict(User.objects.filter(username__in=phones).values_list("username", "pk"))
        group = Group.objects.get_or_create(name=Role.MEMBER)[0]
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=pk, group_id=group.pk) for pk in saved.values()], batch_size=1000
        )
        members = [
            Member(
                user_id=saved[r["phone"]],
                organisation=organisation,
                term=term,
                code=r["code"],
                name=r["name"],
                gender=r["gender"],
                ethnicity=r["ethnicity"],
                birth_date=r["birth_date"],
                party=r["party"],
                sector=r["sector"],
                liaison_group=r["liaison_group"],
                position=r["position"],
                is_standing=r["is_standing"],
                employer=r["employer"],
                job_title=r["job_title"],
                education=r["education"],
                phone=r["phone"],
                id_number=r["id_number"],
                address=r["address"],
                status=r["status"],
            )
            for r in cleaned
        ]
        Member.objects.bulk_create(members, batch_size=1000)
        by_user = dict(Member.objects.filter(user_id__in=saved.values()).values_list("user_id", "pk"))
        through = Member.committees.through
        through.objects.bulk_create(
            [
                through(member_id=by_user[saved[r["phone"]]], specialcommittee_id=c.pk)
                for r in cleaned
                for c in r["committees"]
            ],
            batch_size=1000,
        )
        result.created = list(Member.objects.filter(pk__in=by_user.values()).order_by("id"))
        audit.record(
            user,
            "members.roster_import",
            None,
            organisation=organisation,
            after={
                "file": filename,
                "count": len(result.created),
                "names": [m.name for m in result.created[:100]],
            },
        )
        if keep_passwords is not None:
            keep_passwords(result.passwords)
    return result


def roster_import(*, user, organisation: Organisation, upload) -> ImportResult:
    """Import members from an .xlsx upload, in the request: every row is valid and all are created,
    or nothing is. The pages use `roster_import_start` (the same work, in the background)."""
    from zhengxie.core.uploads import validate

    _check_target(user, organisation)
    data, _kind = validate(upload, ("xlsx",))
    return import_rows(user=user, organisation=organisation, data=data, filename=getattr(upload, "name", ""))


def roster_import_start(*, user, organisation: Organisation, upload) -> RosterImport:
    """Check the upload (an .xlsx file, within the size limit) and queue its import.

    The file is kept encrypted on the row until the task has read it; `run_roster_import` does the rest."""
    from zhengxie.core.context import current_ip
    from zhengxie.core.fields import _fernet
    from zhengxie.core.uploads import validate

    from .tasks import roster_import_task

    _check_target(user, organisation)
    data, _kind = validate(upload, ("xlsx",))
    name = PurePath(getattr(upload, "name", "") or "").name[:200]
    with transaction.atomic():
        job = RosterImport.objects.create(
            user=user,
            organisation=organisation,
            filename=name,
            content=_fernet().encrypt(data),
            ip=current_ip.get(),
            stage="排队等待",
        )
        audit.record(
            user,
            "members.roster_import_start",
            job,
            organisation=organisation,
            after={"file": name, "size": len(data)},
        )
        transaction.on_commit(lambda: roster_import_task.enqueue(str(job.pk)))
    return job


def _set(job_id, **fields) -> None:
    RosterImport.objects.filter(pk=job_id).update(**fields)


IMPORT_STALE = (
    "后台任务中断：导入过程超过 {minutes} 分钟没有进展（服务可能已重启），未导入任何数据。请点击“重新导入”。"
)


def fail_stale_imports(now=None, minutes: int | None = None) -> int:
    """Running imports whose worker has given no sign of life for `minutes` (EXPORT_STALE_MINUTES) are
    marked failed with a message the page shows next to a retry button (a worker killed mid-import would
    leave them running for ever). The import is one transaction, so nothing of it was kept; the stored
    file stays for the retry (purge_roster_files erases it after its days)."""
    from django.conf import settings

    now = now or timezone.now()
    minutes = minutes or settings.EXPORT_STALE_MINUTES
    cutoff = now - datetime.timedelta(minutes=minutes)
    silent = Q(updated_at__lt=cutoff) | Q(updated_at__isnull=True, created_at__lt=cutoff)
    return RosterImport.objects.filter(silent, status=RosterImport.Status.RUNNING).update(
        status=RosterImport.Status.FAILED, error=IMPORT_STALE.format(minutes=minutes), finished_at=now
    )


def roster_import_retry(*, user, import_id) -> RosterImport:
    """Queue a failed import again from its stored file (the importer only; audited)."""
    from zhengxie.core.errors import Conflict, NotFound

    from .tasks import roster_import_task

    with transaction.atomic():
        job = (
            RosterImport.objects.select_for_update()
            .select_related("organisation")
            .filter(pk=import_id, user=user)
            .first()
        )
        if job is None:
            raise NotFound("未找到")
        if job.status != RosterImport.Status.FAILED:
            raise Conflict("只有失败的导入可以重新导入。")
        if not job.content:
            raise Conflict("上传的文件已清除，请重新上传。")
        _check_target(user, job.organisation)
        RosterImport.objects.filter(pk=job.pk).update(
            status=RosterImport.Status.PENDING,
            progress=0,
            stage="排队等待",
            error="",
            finished_at=None,
            updated_at=None,
        )
        audit.record(user, "members.roster_import_retry", job, organisation=job.organisation)
        transaction.on_commit(lambda: roster_import_task.enqueue(str(job.pk)))
    job.refresh_from_db()
    return job


# --- initial passwords of imported accounts -------------------------------------------------------------

PASSWORDS_KEEP_DAYS = 7
PASSWORD_HEADERS = ["姓名", "用户名（手机号）", "初始密码"]


def _keep_passwords(job_id, rows: list[tuple[str, str, str]]) -> None:
    """Store the initial passwords on the import, encrypted, for one download within PASSWORDS_KEEP_DAYS."""
    from zhengxie.core.fields import _fernet

    if rows:
        _set(
            job_id,
            passwords=_fernet().encrypt(json.dumps(rows, ensure_ascii=False).encode()),
            passwords_until=timezone.now() + datetime.timedelta(days=PASSWORDS_KEEP_DAYS),
        )


def wipe_expired_passwords(now=None) -> int:
    """Erase the initial passwords nobody downloaded in time; returns how many imports lost theirs."""
    return RosterImport.objects.filter(passwords_until__lte=now or timezone.now()).update(
        passwords=b"", passwords_until=None
    )


def roster_passwords_download(*, user, import_id) -> tuple[bytes, str]:
    """The initial passwords of an import as .xlsx (姓名/用户名/初始密码): once, only for the administrator
    who ran the import (anybody else: NotFound), within PASSWORDS_KEEP_DAYS. Erased as it is handed out."""
    from zhengxie.core.errors import Conflict, NotFound
    from zhengxie.core.fields import _fernet

    now = timezone.now()
    expired = False
    with transaction.atomic():
        job = (
            RosterImport.objects.select_for_update().defer("content").filter(pk=import_id, user=user).first()
        )
        if job is None:
            raise NotFound("未找到该导入记录。")
        if not user.has_perm("members.import_roster"):
            raise Forbidden("无权导入委员名册。")
        if job.passwords_downloaded_at is not None:
            raise Conflict(
                f"初始密码表已于 {timezone.localtime(job.passwords_downloaded_at):%Y-%m-%d %H:%M} "
                "下载过，系统中已不再保存这些密码。如有遗失，请在“用户管理”中重置相应委员的密码。",
                code="downloaded",
            )
        if job.passwords_until is None or job.passwords_until <= now or not bytes(job.passwords):
            expired = True
            _set(job.pk, passwords=b"", passwords_until=None)
        else:
            rows = json.loads(_fernet().decrypt(bytes(job.passwords)))
            _set(job.pk, passwords=b"", passwords_until=None, passwords_downloaded_at=now)
            audit.record(
                user,
                "members.roster_passwords_download",
                job,
                organisation=job.organisation,
                after={"file": job.filename, "count": len(rows)},
            )
    if expired:
        raise Conflict(
            f"初始密码表超过 {PASSWORDS_KEEP_DAYS} 天未下载，已自动清除。"
            "请在“用户管理”中为需要的委员重置密码。",
            code="expired",
        )
    content = _write(
        rows,
        "初始密码",
        PASSWORD_HEADERS,
        [
            ["用户名即委员的手机号，也可直接用手机号登录。"],
            ["首次登录后系统会要求修改初始密码。"],
            ["本表含登录密码，请逐人单独告知，分发后请删除本文件，切勿转发或打印张贴。"],
        ],
        notes_title="说明",
        text_only=True,
    )
    return content, f"初始密码-{timezone.localdate():%Y%m%d}.xlsx"


def run_roster_import(import_id: str) -> str:
    """The background half of an import: read, check, create (all or nothing), report. Returns the status.

    Safe to run twice: only a pending import is taken. The stored file is erased whatever the outcome."""
    from zhengxie.core.context import current_ip
    from zhengxie.core.errors import ServiceError
    from zhengxie.core.fields import _fernet
    from zhengxie.core.notifications import notify

    S = RosterImport.Status
    if not RosterImport.objects.filter(pk=import_id, status=S.PENDING).update(
        status=S.RUNNING, progress=1, stage="正在读取文件", updated_at=timezone.now()
    ):
        return RosterImport.objects.filter(pk=import_id).values_list("status", flat=True).first() or ""
    job = RosterImport.objects.select_related("user", "user__organisation", "organisation").get(pk=import_id)
    token = current_ip.set(job.ip)
    done: dict = {"content": b"", "finished_at": None, "stage": ""}
    try:
        user = job.user
        _check_target(user, job.organisation)
        data = _fernet().decrypt(bytes(job.content))

        def progress(percent: int, stage: str) -> None:
            # Running rows only: a slow worker's late progress does not revive an import failed as stale.
            RosterImport.objects.filter(pk=job.pk, status=S.RUNNING).update(
                progress=max(1, min(99, int(percent))), stage=stage, updated_at=timezone.now()
            )

        result = import_rows(
            user=user,
            organisation=job.organisation,
            data=data,
            filename=job.filename,
            progress=progress,
            keep_passwords=lambda rows: _keep_passwords(job.pk, rows),
        )
    except ServiceError as exc:
        done.update(status=S.REJECTED if exc.status == 422 else S.FAILED, error=exc.message)
    except Exception:  # noqa: BLE001 - the page shows the failure instead of polling forever
        logger.exception("roster import %s failed", import_id)
        done.update(status=S.FAILED, error="导入时发生意外错误，未导入任何数据。请稍后重试或联系技术支持。")
    else:
        done.update(
            total=result.total,
            errors=[{"row": e.row, "column": e.column, "message": e.message} for e in result.errors],
        )
        if result.ok:
            done.update(status=S.DONE, imported=len(result.created))
        else:
            done.update(status=S.REJECTED)
    finally:
        current_ip.reset(token)
    done.update(progress=100, finished_at=timezone.now())
    _set(job.pk, **done)
    url = reverse("members:roster_import_job", args=[job.pk])
    if done["status"] == S.DONE:
        notify(
            [job.user],
            f"委员名册导入完成：已导入 {done['imported']} 名委员",
            f"文件：{job.filename}。请在导入结果页下载初始密码表（仅能下载一次，{PASSWORDS_KEEP_DAYS} 天后自动清除）。",
            url=url,
            category="members",
            email=False,
        )
    else:
        notify(
            [job.user],
            "委员名册未导入",
            f"文件：{job.filename}。"
            + (f"发现 {len(done.get('errors') or [])} 处问题，" if done.get("errors") else "")
            + "未导入任何数据，请查看报告。",
            url=url,
            category="members",
            email=False,
        )
    return done["status"]


# --- template and export ------------------------------------------------------------------------------


def _write(
    rows_iter,
    sheet_title: str,
    header: list[str],
    notes: list[list[str]] | None = None,
    notes_title: str = "填写说明",
    text_only: bool = False,
) -> bytes:
    """`text_only`: every value is stored as text (numbers too), so that e.g. an initial password stays
    itself; strings are always text, never formulas (core.xlsx)."""
    book = Book()
    ws = book.sheet(sheet_title, text_only=text_only)
    ws.append(header)
    for row in rows_iter:
        ws.append(row)
    if notes:
        info = book.sheet(notes_title)
        for row in notes:
            info.append(row)
    return book.save()


def roster_template(*, user, organisation: Organisation | None = None) -> bytes:
    """The import template: the header row, and a sheet naming each column and the allowed values."""
    if not user.has_perm("members.import_roster"):
        raise Forbidden("无权导入委员名册。")
    notes = [["列", "必填", "说明"]] + [[c.header, "是" if c.required else "", c.help] for c in COLUMNS]
    if organisation is not None and in_scope(user, organisation):
        notes += [[], [f"{organisation.name}的可选值"]]
        notes.append(
            ["界别可选值"]
            + list(Sector.objects.filter(organisation=organisation).values_list("name", flat=True))
        )
        notes.append(
            ["专委会可选值"]
            + list(SpecialCommittee.objects.filter(organisation=organisation).values_list("name", flat=True))
        )
        notes.append(
            ["乡镇联络组可选值"]
            + list(
                Organisation.objects.filter(
                    path__startswith=organisation.path, kind=Organisation.Kind.LIAISON
                ).values_list("name", flat=True)
            )
        )
    notes.append(["党派可选值"] + list(Party.objects.values_list("short_name", flat=True)))
    return _write([], "委员名册", [c.header for c in COLUMNS], notes)


def member_row(m: Member, *, sensitive: bool) -> list:
    return [
        m.name,
        m.get_gender_display(),
        m.ethnicity,
        m.birth_date.isoformat() if m.birth_date else "",
        m.party.short_name or m.party.name if m.party_id else "",
        m.sector.name,
        "、".join(c.name for c in m.committees.all()),
        m.liaison_group.name if m.liaison_group_id else "",
        m.position,
        "是" if m.is_standing else "否",
        m.employer,
        m.job_title,
        m.education,
        m.phone if sensitive else m.masked_phone,
        m.id_number if sensitive else m.masked_id_number,
        m.address if sensitive else "",
        m.code,
        m.get_status_display(),
        m.organisation.name,
    ]


def _clean_filters(filters: dict | None) -> dict:
    return {k: v for k, v in (filters or {}).items() if v}


def roster_export(
    *, user, queryset, filters: dict | None = None, progress: Callable[[int], None] | None = None
) -> bytes:
    """The (already scoped and filtered) roster as .xlsx, in the template's columns so it imports again.

    `progress(percent)` is told how far it got (for the background export)."""
    from .selectors import can_see_sensitive

    if not user.has_perm("members.export_roster"):
        raise Forbidden("无权导出委员名册。")
    sensitive = can_see_sensitive(user)
    total = queryset.count() if progress else 0
    count = [0]

    def rows():
        for m in queryset.iterator(chunk_size=500):
            count[0] += 1
            if progress and count[0] % PROGRESS_EVERY == 0:
                progress(95 * count[0] // max(total, 1))
            yield member_row(m, sensitive=sensitive)

    content = _write(rows(), "委员名册", [c.header for c in COLUMNS] + ["所属政协"])
    audit.record(
        user,
        "members.roster_export",
        None,
        after={"count": count[0], "filters": {k: str(v) for k, v in _clean_filters(filters).items()}},
    )
    return content


def may_export_roster(user) -> bool:
    return user.has_perm("members.export_roster")


def build_roster_export(user, params: dict, progress) -> tuple[str, bytes]:
    """The background export's file: the roster with the page's filters (`params`), as the user sees it."""
    from .selectors import members

    data = roster_export(user=user, queryset=members(user, **params), filters=params, progress=progress)
    return f"委员名册-{timezone.localdate():%Y%m%d}.xlsx", data


def export_params(filters: dict | None) -> dict:
    """The export's parameters: the page's filters that are set."""
    return _clean_filters(filters)


def roster_export_size(user, params: dict) -> int:
    from .selectors import members

    return members(user, **params).count()


def roster_export_start(*, user, filters: dict) -> Export:
    """Queue a background export of the roster (with these page filters) for a big roster."""
    return exports.start(user, EXPORT_KIND, _clean_filters(filters))


exports.register(
    EXPORT_KIND,
    build_roster_export,
    title="委员名册导出",
    may_start=may_export_roster,
    back=("委员名册", "members:roster"),
    size=roster_export_size,
)
