"""Every change to 民主评议: the organiser (办公室 or a 专委会办公室) creates a round with its scoring form,
adds the targets (typed, pasted lines, an .xlsx, or the handling units), invites members, opens, closes and
publishes it; an invited member rates targets in the window (scores or verdicts, a note, photos without
EXIF, the phone's place). Each service checks who may (rules.py), runs in one transaction, writes its audit
entry last and tells whoever must act next."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Sum
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import audit, orgsettings, uploads, verdicts
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import HandlingUnit
from zhengxie.core.notifications import notify
from zhengxie.core.verdicts import Verdict
from zhengxie.keytasks.services import check_year
from zhengxie.members.models import Member
from zhengxie.performance import acts as A
from zhengxie.performance.services import record_act
from zhengxie.studios.services.common import text

from . import rules
from .models import Item, Rater, Rating, RatingPhoto, Round, Score, Target

orgsettings.register("appraisal.top_n", 3, "民主评议：排名靠前评定为“满意”的对象数")
orgsettings.register("appraisal.bottom_n", 3, "民主评议：排名靠后列为次年“重点监督”的对象数")

S = Round.Status
MAX_ITEMS = 20
MAX_TARGETS = 2000
MAX_PHOTOS = 9
TRANSITIONS = {"open": (S.DRAFT,), "close": (S.OPEN,), "publish": (S.CLOSED,)}
STEP_WORDS = {"open": "开始评议", "close": "结束评议", "publish": "公布结果"}


# --- checks the forms call too --------------------------------------------------------------------------


def _text(value, name: str, *, field: str, required=True, limit: int = 200) -> str:
    return text(value, name, field=field, max_len=limit, required=required)


def _moment(value, name: str, field: str) -> datetime.datetime:
    if isinstance(value, str) and value.strip():
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(0))
    if not isinstance(value, datetime.datetime):
        raise Invalid(f"请填写{name}（格式 YYYY-MM-DD HH:MM）。", field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def check_window(opens_at, closes_at) -> tuple[datetime.datetime, datetime.datetime]:
    opens_at = _moment(opens_at, "开始时间", "opens_at")
    closes_at = _moment(closes_at, "截止时间", "closes_at")
    if closes_at <= opens_at:
        raise Invalid("截止时间须晚于开始时间。", field="closes_at")
    return opens_at, closes_at


def _int(value, name: str, field: str, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise Invalid(f"{name}须为{lo}至{hi}之间的整数。", field=field)
    try:
        value = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        raise Invalid(f"{name}须为{lo}至{hi}之间的整数。", field=field)
    if not lo <= value <= hi:
        raise Invalid(f"{name}须为{lo}至{hi}之间的整数。", field=field)
    return value


def check_items(kind: str, rows) -> list[dict]:
    """[{name, weight, guidance}] cleaned; for places the weights must add up to 100."""
    out = []
    for i, row in enumerate(rows or [], 1):
        if not isinstance(row, dict):
            raise Invalid(f"第{i}个评分项目格式不正确。", field="items")
        name = row.get("name")
        weight = row.get("weight")
        if not (name or "").strip() and weight in (None, "") and not (row.get("guidance") or "").strip():
            continue  # an empty row of the form
        name = _text(name, f"第{i}个评分项目的名称", field="items", limit=60)
        guidance = _text(row.get("guidance"), "评分说明", field="items", required=False, limit=300)
        if kind == Round.Kind.PLACES:
            weight = _int(weight, f"“{name}”的权重", "items", 1, 100)
        else:
            weight = 0
        out.append({"name": name, "weight": weight, "guidance": guidance})
    if not out:
        raise Invalid(
            "请至少填写一个评分项目。" if kind == Round.Kind.PLACES else "请至少填写一个评议方面。",
            field="items",
        )
    if len(out) > MAX_ITEMS:
        raise Invalid(f"评分项目最多{MAX_ITEMS}个。", field="items")
    if len({r["name"] for r in out}) != len(out):
        raise Invalid("评分项目的名称不能重复。", field="items")
    total = sum(r["weight"] for r in out)
    if kind == Round.Kind.PLACES and total != 100:
        raise Invalid(f"各评分项目的权重之和须为100（现为{total}）。", field="items", code="weights")
    return out


def _kind(kind) -> str:
    if kind not in Round.Kind.values:
        raise Invalid("评议对象须为公共场所/设施（places）或部门/单位（units）。", field="kind")
    return kind


# --- helpers ---------------------------------------------------------------------------------------------


def url(rnd) -> str:
    return reverse("appraisal:detail", args=[getattr(rnd, "pk", rnd)])


def _pk(value):
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool) or not str(pk).isdigit() or int(pk) >= 2**53:
        return None
    return int(pk)


def _load(user, rnd, *, lock=True) -> Round:
    """The round, row-locked, if the user may see it; else 404."""
    pk = _pk(rnd)
    r = None
    if pk is not None:
        qs = Round.objects.select_related("organisation")
        if lock:
            qs = qs.select_for_update(of=("self",))
        r = qs.filter(pk=pk).first()
    if r is None or not rules.can_view(user, r):
        raise NotFound("未找到该民主评议。")
    return r


def _must_manage(user, r: Round, what: str) -> None:
    if not rules.can_manage(user, r):
        raise Forbidden(f"只有本级政协办公室或专委会工作人员可以{what}。")


def _snapshot(r: Round) -> dict:
    return {
        "year": r.year,
        "title": r.title,
        "kind": r.kind,
        "status": r.status,
        "photo_required": r.photo_required,
        "opens_at": r.opens_at.isoformat(),
        "closes_at": r.closes_at.isoformat(),
        "targets": r.target_count,
        "raters": r.rater_count,
    }


def _q2(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the round -------------------------------------------------------------------------------------------


def create(
    user,
    *,
    year,
    title,
    kind,
    opens_at,
    closes_at,
    items,
    photo_required=False,
    description="",
    organisation=None,
) -> Round:
    organisation = organisation or user.organisation
    if not rules.is_organiser(user, organisation):
        raise Forbidden("只有本级政协办公室或专委会工作人员可以组织民主评议。")
    year = check_year(year)
    title = _text(title, "评议名称", field="title", limit=200)
    kind = _kind(kind)
    description = _text(description, "评议说明", field="description", required=False, limit=5000)
    opens_at, closes_at = check_window(opens_at, closes_at)
    rows = check_items(kind, items)
    with transaction.atomic():
        r = Round.objects.create(
            organisation=organisation,
            year=year,
            title=title,
            kind=kind,
            description=description,
            photo_required=bool(photo_required) and kind == Round.Kind.PLACES,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=user,
        )
        Item.objects.bulk_create([Item(round=r, order=i, **row) for i, row in enumerate(rows, 1)])
        audit.record(
            user, "appraisal.create", r, after={**_snapshot(r), "items": rows}, organisation=organisation
        )
    return r


UNSET = object()


def update(
    user,
    rnd,
    *,
    title=UNSET,
    description=UNSET,
    opens_at=UNSET,
    closes_at=UNSET,
    photo_required=UNSET,
    items=UNSET,
) -> Round:
    """Change a round: anything while a draft; while open only the title, the note and the window (the form
    is fixed once members rate)."""
    with transaction.atomic():
        r = _load(user, rnd)
        _must_manage(user, r, "修改民主评议")
        if r.status not in (S.DRAFT, S.OPEN):
            raise Conflict("评议已结束，不能再修改。", code="state")
        before = _snapshot(r)
        if title is not UNSET:
            r.title = _text(title, "评议名称", field="title", limit=200)
        if description is not UNSET:
            r.description = _text(description, "评议说明", field="description", required=False, limit=5000)
        r.opens_at, r.closes_at = check_window(
            r.opens_at if opens_at is UNSET else opens_at, r.closes_at if closes_at is UNSET else closes_at
        )
        draft_only = [x for x in (photo_required, items) if x is not UNSET]
        if draft_only and r.status != S.DRAFT:
            raise Conflict("评议已开始，评分表和照片要求不能再修改。", code="state")
        if photo_required is not UNSET:
            r.photo_required = bool(photo_required) and not r.is_units
        if items is not UNSET:
            rows = check_items(r.kind, items)
            r.items.all().delete()
            Item.objects.bulk_create([Item(round=r, order=i, **row) for i, row in enumerate(rows, 1)])
        r.save()
        audit.record(
            user, "appraisal.update", r, before=before, after=_snapshot(r), organisation=r.organisation
        )
    return r


# --- targets ---------------------------------------------------------------------------------------------


def parse_lines(text: str) -> list[dict]:
    """Pasted lines: 名称, then optionally the address (after a tab, “|” or the first comma)."""
    rows = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        if "\t" in line:
            parts = line.split("\t")
        elif "|" in line:
            parts = line.split("|")
        else:
            parts = re.split(r"[，,]", line, maxsplit=1)
        parts = [p.strip() for p in parts]
        rows.append(
            {"name": parts[0], "address": parts[1] if len(parts) > 1 else "", "unit": (parts + ["", ""])[2]}
        )
    return rows


def parse_xlsx(upload) -> list[dict]:
    """The first sheet of an .xlsx: 名称, 地址, 单位 (a header row is skipped)."""
    import io

    from openpyxl import load_workbook

    data, _kind = uploads.validate(upload, ("xlsx",))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a broken workbook is the user's file, said in Chinese
        raise Invalid("无法读取该 Excel 文件，请检查格式。", field="file") from exc
    rows = []
    try:
        ws = wb.worksheets[0]
        for i, values in enumerate(ws.iter_rows(values_only=True)):
            cells = ["" if v is None else str(v).strip() for v in (values or ())][:3]
            cells += [""] * (3 - len(cells))
            if i == 0 and cells[0] in ("名称", "评议对象", "对象名称", "单位名称", "场所名称"):
                continue
            if not any(cells):
                continue
            rows.append({"name": cells[0], "address": cells[1], "unit": cells[2]})
            if len(rows) > MAX_TARGETS:
                break
    finally:
        wb.close()
    if not rows:
        raise Invalid("Excel 文件中没有评议对象（第一列为名称，第二列为地址）。", field="file")
    return rows


def _unit(value, organisation, units_by_name):
    if value in (None, "", 0):
        return None
    if isinstance(value, str) and not value.strip().isdigit():
        found = units_by_name.get(value.strip())
        if found is None:
            raise Invalid(f"未找到承办单位“{value.strip()}”。", field="targets")
        return found
    pk = _pk(value)
    found = HandlingUnit.objects.filter(pk=pk, organisation=organisation).first() if pk else None
    if found is None:
        raise Invalid("所选单位不属于本级政协的承办单位。", field="targets")
    return found


def add_targets(user, rnd, *, rows=(), text="", upload=None, units=(), all_units=False) -> list[Target]:
    """Add targets: rows [{name, address, unit}], pasted lines, an .xlsx, chosen handling units or all of
    them. Names already in the round are skipped; targets can be added until the round closes."""
    with transaction.atomic():
        r = _load(user, rnd)
        _must_manage(user, r, "添加评议对象")
        if r.status not in (S.DRAFT, S.OPEN):
            raise Conflict("评议已结束，不能再添加评议对象。", code="state")
        rows = list(rows or [])
        if text:
            rows += parse_lines(text)
        if upload is not None:
            rows += parse_xlsx(upload)
        org = r.organisation
        active = HandlingUnit.objects.filter(organisation=org, is_active=True)
        by_name = {}
        for u in active:
            by_name[u.name] = u
            if u.short_name:
                by_name.setdefault(u.short_name, u)
        chosen = list(active) if all_units else [_unit(u, org, by_name) for u in (units or [])]
        for u in chosen:
            rows.append({"name": u.name, "address": u.address, "unit": u})
        if not rows:
            raise Invalid("请填写评议对象（每行一个：名称，地址）。", field="targets")
        existing = set(r.targets.values_list("name", flat=True))
        last = r.target_count
        new = []
        for i, row in enumerate(rows, 1):
            if not isinstance(row, dict):
                raise Invalid(f"第{i}个评议对象格式不正确。", field="targets")
            name = _text(row.get("name"), f"第{i}个评议对象的名称", field="targets", limit=100)
            address = _text(row.get("address"), "地址", field="targets", required=False, limit=200)
            unit = row.get("unit")
            unit = unit if isinstance(unit, HandlingUnit) else _unit(unit, org, by_name)
            if name in existing:
                continue
            existing.add(name)
            last += 1
            new.append(Target(round=r, organisation=org, order=last, name=name, address=address, unit=unit))
        if len(existing) > MAX_TARGETS:
            raise Invalid(f"一次评议的对象最多{MAX_TARGETS}个。", field="targets")
        Target.objects.bulk_create(new)
        r.target_count = len(existing)
        r.save(update_fields=["target_count"])
        audit.record(
            user,
            "appraisal.targets",
            r,
            after={"added": [t.name for t in new][:200], "total": r.target_count},
            organisation=org,
        )
    return new


# --- raters ----------------------------------------------------------------------------------------------


def _ids(values, name: str, field: str) -> list[int]:
    out = []
    for v in values or ():
        pk = _pk(v)
        if pk is None:
            raise Invalid(f"所选{name}有误。", field=field)
        out.append(pk)
    return out


def invite(user, rnd, *, members=(), sectors=(), committees=(), all_members=False) -> int:
    """Invite members of the round's committee: by list, by 界别, by 专委会, or all (active members);
    those already invited are kept. Returns how many were added; while open they are told at once."""
    with transaction.atomic():
        r = _load(user, rnd)
        _must_manage(user, r, "邀请参评委员")
        if r.status not in (S.DRAFT, S.OPEN):
            raise Conflict("评议已结束，不能再邀请委员。", code="state")
        qs = Member.objects.filter(organisation=r.organisation, status=Member.Status.ACTIVE)
        member_ids = _ids(members, "委员", "members")
        sector_ids = _ids(sectors, "界别", "sectors")
        committee_ids = _ids(committees, "专委会", "committees")
        if not (all_members or member_ids or sector_ids or committee_ids):
            raise Invalid("请选择要邀请的委员、界别或专委会，或邀请全体委员。", field="members")
        if not all_members:
            chosen = set()
            if member_ids:
                found = set(qs.filter(pk__in=member_ids).values_list("pk", flat=True))
                if len(found) != len(set(member_ids)):
                    raise Invalid("所选委员须为本级政协的在任委员。", field="members")
                chosen |= found
            if sector_ids:
                chosen |= set(qs.filter(sector_id__in=sector_ids).values_list("pk", flat=True))
            if committee_ids:
                chosen |= set(qs.filter(committees__in=committee_ids).values_list("pk", flat=True))
            qs = qs.filter(pk__in=chosen)
        have = set(Rater.objects.filter(round=r).values_list("member_id", flat=True))
        add = [m for m in qs.select_related("user").order_by("pk") if m.pk not in have]
        Rater.objects.bulk_create([Rater(round=r, member=m, user=m.user) for m in add])
        r.rater_count = len(have) + len(add)
        r.save(update_fields=["rater_count"])
        if add and r.status == S.OPEN:
            _tell_raters(r, [m.user for m in add])
        audit.record(
            user,
            "appraisal.invite",
            r,
            after={"added": len(add), "raters": r.rater_count},
            organisation=r.organisation,
        )
    return len(add)


def _tell_raters(r: Round, users) -> None:
    notify(
        users,
        f"请参加民主评议：{r.title}",
        f"评议时间 {timezone.localtime(r.opens_at):%Y年%m月%d日 %H:%M} 至 "
        f"{timezone.localtime(r.closes_at):%Y年%m月%d日 %H:%M}，共{r.target_count}个评议对象。"
        "可在手机上打开评议页，现场打分、填写意见并拍照。",
        url=url(r),
        category="appraisal",
    )


# --- steps -----------------------------------------------------------------------------------------------


def _step(user, rnd, action: str) -> Round:
    r = _load(user, rnd)
    _must_manage(user, r, STEP_WORDS[action])
    if r.status not in TRANSITIONS[action]:
        raise Conflict(
            f"当前状态为“{r.get_status_display()}”，不能{STEP_WORDS[action]}。", code="illegal_transition"
        )
    return r


def open_round(user, rnd) -> Round:
    with transaction.atomic():
        r = _step(user, rnd, "open")
        if not r.target_count:
            raise Invalid("请先添加评议对象。", field="targets")
        if not r.rater_count:
            raise Invalid("请先邀请参评委员。", field="members")
        if r.closes_at <= timezone.now():
            raise Invalid("截止时间已过，请先调整评议时间。", field="closes_at")
        before = r.status
        r.status, r.opened_at = S.OPEN, timezone.now()
        r.save(update_fields=["status", "opened_at"])
        _tell_raters(r, [x.user for x in r.raters.select_related("user")])
        audit.record(
            user,
            "appraisal.open",
            r,
            before={"status": before},
            after=_snapshot(r),
            organisation=r.organisation,
        )
    return r


def _close(r: Round, actor, now, title: str, body: str) -> None:
    """Close an open round (locked by the caller), fix its ranking and tell its organiser to publish."""
    r.status, r.closed_at = S.CLOSED, now
    r.save(update_fields=["status", "closed_at"])
    apply_ranking(r)
    if actor is None or r.created_by_id != actor.pk:
        notify([r.created_by], title, body, url=url(r), category="appraisal")
    audit.record(
        actor,
        "appraisal.close",
        r,
        before={"status": S.OPEN},
        after=_snapshot(r),
        organisation=r.organisation,
    )


def close_round(user, rnd) -> Round:
    with transaction.atomic():
        r = _step(user, rnd, "close")
        _close(r, user, timezone.now(), f"民主评议已结束：{r.title}", "请核对评议结果后公布。")
    return r


def publish(user, rnd) -> Round:
    """Publish the results: the ranking is fixed (top N 满意, bottom N 重点监督) and the raters are told."""
    with transaction.atomic():
        r = _step(user, rnd, "publish")
        r.status, r.published_at = S.PUBLISHED, timezone.now()
        r.save(update_fields=["status", "published_at"])
        ranked = apply_ranking(r)
        top = [t.name for t in ranked if t.mark == Target.Mark.TOP]
        bottom = [t.name for t in ranked if t.mark == Target.Mark.BOTTOM]
        body = f"共评议{r.target_count}个对象。"
        if top:
            body += f"评定为满意：{'、'.join(top)}。"
        if bottom:
            body += f"列为明年重点监督：{'、'.join(bottom)}。"
        notify(
            [x.user for x in r.raters.select_related("user")],
            f"民主评议结果已公布：{r.title}",
            body,
            url=reverse("appraisal:results", args=[r.pk]),
            category="appraisal",
        )
        audit.record(
            user,
            "appraisal.publish",
            r,
            before={"status": S.CLOSED},
            after={**_snapshot(r), "top": top, "bottom": bottom},
            organisation=r.organisation,
        )
    return r


def ranking(r: Round, targets) -> list[Target]:
    """The targets ranked (attributes rank, mark, valid set on each, nothing saved): places by weighted
    average, units by 满意率 among those whose result is valid (more than half the raters took part); top N
    are 满意, bottom N 重点监督 (settings appraisal.top_n / bottom_n)."""
    top_n = int(orgsettings.get(r.organisation, "appraisal.top_n"))
    bottom_n = int(orgsettings.get(r.organisation, "appraisal.bottom_n"))
    for t in targets:
        t.valid = (
            verdicts.quorum_met(t.ratings, r.rater_count) and t.rate is not None
            if r.is_units
            else t.ratings > 0 and t.score is not None
        )
        t.rank, t.mark = None, ""
    key = (
        (lambda t: (-(t.rate or 0), t.order, t.pk))
        if r.is_units
        else (lambda t: (-(t.score or 0), t.order, t.pk))
    )
    ranked = sorted((t for t in targets if t.valid), key=key)
    for i, t in enumerate(ranked, 1):
        t.rank = i
    for t in ranked[:top_n]:
        t.mark = Target.Mark.TOP
    rest = ranked[top_n:]
    for t in rest[max(0, len(rest) - bottom_n) :]:
        t.mark = Target.Mark.BOTTOM
    unranked = sorted((t for t in targets if not t.valid), key=lambda t: (t.order, t.pk))
    return ranked + unranked


def apply_ranking(r: Round) -> list[Target]:
    targets = list(Target.objects.filter(round=r).order_by("order", "id"))
    ranked = ranking(r, targets)
    Target.objects.bulk_update(ranked, ["rank", "mark"], batch_size=500)
    return ranked


# --- ratings ---------------------------------------------------------------------------------------------


def _coords(latitude, longitude, accuracy):
    if latitude in (None, "") and longitude in (None, ""):
        return None, None, None
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lng = Decimal(str(longitude)).quantize(Decimal("0.000001"))
    except Exception:  # noqa: BLE001 - any unparsable value is a bad position
        raise Invalid("定位信息格式不正确。", field="latitude")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Invalid("定位信息超出范围。", field="latitude")
    acc = None
    if accuracy not in (None, ""):
        try:
            acc = max(0, min(100000, int(float(accuracy))))
        except (TypeError, ValueError, OverflowError):
            acc = None
    return lat, lng, acc


def check_scores(r: Round, items: list[Item], scores) -> dict[int, object]:
    """{item id: value 0-100 (places) or verdict (units)} for every item of the form."""
    given: dict[int, object] = {}
    if isinstance(scores, dict):
        pairs = list(scores.items())
    else:
        pairs = []
        for row in scores or []:
            if not isinstance(row, dict):
                raise Invalid("评分格式不正确。", field="scores")
            pairs.append((row.get("item"), row.get("verdict") if r.is_units else row.get("value")))
    names = {i.pk: i.name for i in items}
    for item, value in pairs:
        pk = _pk(item)
        if pk not in names:
            raise Invalid("评分项目不属于该评议。", field="scores")
        given[pk] = value
    out: dict[int, object] = {}
    for i in items:
        value = given.get(i.pk)
        if r.is_units:
            if value in (None, ""):
                raise Invalid(f"请对“{i.name}”作出评价。", field="scores")
            if value not in Verdict.values:
                raise Invalid(f"“{i.name}”的评价须为满意、基本满意、不满意或不了解。", field="scores")
            out[i.pk] = value
        else:
            if value in (None, ""):
                raise Invalid(f"请为“{i.name}”打分。", field="scores")
            out[i.pk] = _int(value, f"“{i.name}”的得分", "scores", 0, 100)
    return out


def refresh_target(t: Target) -> None:
    """The target's figures from its ratings (three queries)."""
    agg = Rating.objects.filter(target_id=t.pk).aggregate(
        n=Count("id"), avg=Avg("score"), photos=Sum("photo_count")
    )
    t.ratings, t.photos = agg["n"] or 0, agg["photos"] or 0
    t.score = _q2(agg["avg"]) if agg["avg"] is not None else None
    counts = {v: 0 for v in Verdict.values}
    for row in (
        Score.objects.filter(rating__target_id=t.pk)
        .exclude(verdict="")
        .values("verdict")
        .annotate(n=Count("id"))
    ):
        counts[row["verdict"]] = row["n"]
    t.satisfied = counts[Verdict.SATISFIED]
    t.basically_satisfied = counts[Verdict.BASICALLY_SATISFIED]
    t.unsatisfied = counts[Verdict.UNSATISFIED]
    t.unknown = counts[Verdict.UNKNOWN]
    rate = verdicts.satisfaction_rate(counts)
    t.rate = Decimal(str(rate)) if rate is not None else None
    t.save(
        update_fields=[
            "ratings",
            "photos",
            "score",
            "satisfied",
            "basically_satisfied",
            "unsatisfied",
            "unknown",
            "rate",
        ]
    )


def _target(r: Round, target, *, lock=True) -> Target:
    qs = Target.objects.filter(round=r, pk=_pk(target))
    if lock:
        qs = qs.select_for_update()
    t = qs.first()
    if t is None:
        raise NotFound("未找到该评议对象。")
    return t


def _photos(photos) -> list:
    photos = [p for p in (photos or []) if p is not None]
    if len(photos) > MAX_PHOTOS:
        raise Invalid(f"每次评议最多上传{MAX_PHOTOS}张照片。", field="photos")
    return photos


def _store_photos(user, rating: Rating, t: Target, photos) -> int:
    for p in photos:
        try:
            att = uploads.save_attachment(
                p,
                target=rating,
                user=user,
                purpose="appraisal_photo",
                allowed=uploads.IMAGES,
                strip_metadata=True,
            )
        except Invalid as exc:
            raise Invalid(f"照片“{getattr(p, 'name', '')}”：{exc.message}", field="photos", code=exc.code)
        RatingPhoto.objects.create(rating=rating, target=t, attachment=att)
    return len(photos)


def rate(
    user, rnd, target, *, scores, note="", latitude=None, longitude=None, accuracy=None, photos=()
) -> Rating:
    """An invited member's rating of a target (again: their rating is updated, until the round closes).
    Not invited → 403; outside the window → 409; a photo required and none → 422 (nothing saved)."""
    photos = _photos(photos)
    with transaction.atomic():
        r = _load(user, rnd, lock=False)
        member = rules.committee_member(user, r.organisation)
        rater = Rater.objects.filter(round=r, member=member).first() if member else None
        if rater is None:
            raise Forbidden("您不在本次民主评议的参评委员名单中。")
        if not r.window_open():
            if r.status == S.OPEN and timezone.now() < r.opens_at:
                raise Conflict("评议尚未开始。", code="not_open")
            raise Conflict("评议已截止或未在进行中，不能再提交评议。", code="closed")
        t = _target(r, target)
        items = list(r.items.all())
        values = check_scores(r, items, scores)
        note = _text(note, "评议意见", field="note", required=False, limit=2000)
        lat, lng, acc = _coords(latitude, longitude, accuracy)
        rating = Rating.objects.filter(target=t, member=member).first()
        had_photos = rating.photo_count if rating else 0
        if r.photo_required and not photos and not had_photos:
            raise Invalid("本次评议须上传现场照片，请拍照后再提交。", field="photos", code="photo_required")
        if had_photos + len(photos) > MAX_PHOTOS:
            raise Invalid(f"每次评议最多上传{MAX_PHOTOS}张照片。", field="photos")
        now = timezone.now()
        new = rating is None
        if new:
            try:
                with transaction.atomic():
                    rating = Rating.objects.create(
                        round=r, target=t, rater=rater, member=member, rated_at=now
                    )
            except IntegrityError:
                raise Conflict("您已评议过该对象，请刷新后修改。", code="already_rated")
        weights = {i.pk: i.weight for i in items}
        if not r.is_units:
            rating.score = _q2(sum(Decimal(values[k]) * weights[k] for k in values) / 100)
        rating.note = note
        if lat is not None:
            rating.latitude, rating.longitude, rating.accuracy = lat, lng, acc
        rating.updated_at = now
        Score.objects.filter(rating=rating).delete()
        Score.objects.bulk_create(
            [
                Score(rating=rating, item_id=k, **({"verdict": v} if r.is_units else {"value": v}))
                for k, v in values.items()
            ]
        )
        rating.photo_count = had_photos + _store_photos(user, rating, t, photos)
        rating.save()
        refresh_target(t)
        if new:
            Round.objects.filter(pk=r.pk).update(rating_count=F("rating_count") + 1)
            Rater.objects.filter(pk=rater.pk).update(rated=F("rated") + 1)
            Rater.objects.filter(pk=rater.pk, rated__gte=r.target_count, finished_at__isnull=True).update(
                finished_at=now
            )
            record_act(member=member, act=A.APPRAISAL, source=t, occurred_on=timezone.localdate(now))
        audit.record(
            user,
            "appraisal.rate" if new else "appraisal.rate_update",
            rating,
            after={
                "target": t.pk,
                "score": str(rating.score) if rating.score is not None else None,
                "photos": rating.photo_count,
                "located": rating.latitude is not None,
            },
            organisation=r.organisation,
        )
    return rating


def add_photos(user, rating, photos) -> Rating:
    """More photos for one's own rating while the round is open."""
    with transaction.atomic():
        pk = _pk(rating)
        rt = (
            Rating.objects.select_related("round__organisation", "target").filter(pk=pk).first()
            if pk
            else None
        )
        if rt is None or not rules.can_view_rating(user, rt):
            raise NotFound("未找到该评议记录。")
        member = rules.committee_member(user, rt.round.organisation)
        if member is None or member.pk != rt.member_id:
            raise Forbidden("只能为自己的评议上传照片。")
        if not rt.round.window_open():
            raise Conflict("评议已截止或未在进行中，不能再上传照片。", code="closed")
        photos = _photos(photos)
        if not photos:
            raise Invalid("请选择要上传的照片。", field="photos")
        if rt.photo_count + len(photos) > MAX_PHOTOS:
            raise Invalid(f"每次评议最多上传{MAX_PHOTOS}张照片。", field="photos")
        t = Target.objects.select_for_update().get(pk=rt.target_id)
        rt.photo_count += _store_photos(user, rt, t, photos)
        rt.updated_at = timezone.now()
        rt.save(update_fields=["photo_count", "updated_at"])
        refresh_target(t)
        audit.record(
            user, "appraisal.photos", rt, after={"photos": rt.photo_count}, organisation=rt.round.organisation
        )
    return rt


def finish(user, rnd) -> Rater:
    """An invited member says they have finished (the to-do goes away)."""
    with transaction.atomic():
        r = _load(user, rnd, lock=False)
        member = rules.committee_member(user, r.organisation)
        rater = Rater.objects.select_for_update().filter(round=r, member=member).first() if member else None
        if rater is None:
            raise Forbidden("您不在本次民主评议的参评委员名单中。")
        if r.status != S.OPEN:
            raise Conflict("评议未在进行中。", code="closed")
        if not rater.rated:
            raise Invalid("您还没有评议任何对象。", field="targets")
        if rater.finished_at is None:
            rater.finished_at = timezone.now()
            rater.save(update_fields=["finished_at"])
            audit.record(
                user, "appraisal.finish", r, after={"rated": rater.rated}, organisation=r.organisation
            )
    return rater


# --- the daily check -------------------------------------------------------------------------------------


def close_due(now=None) -> int:
    """Open rounds past their window are closed (ranked) and their organiser told. Returns how many."""
    now = now or timezone.now()
    n = 0
    for pk in list(Round.objects.filter(status=S.OPEN, closes_at__lte=now).values_list("pk", flat=True)):
        with transaction.atomic():
            r = Round.objects.select_for_update().select_related("organisation", "created_by").get(pk=pk)
            if r.status == S.OPEN:
                _close(r, None, now, f"民主评议已到截止时间：{r.title}", "评议已自动结束，请核对结果后公布。")
                n += 1
    return n
