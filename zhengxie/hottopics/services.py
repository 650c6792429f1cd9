"""热点 (hot topics): who may see and recompute them, the computation of a run, and 作为协商选题.

    may_view(user, organisation) / may_recompute(user, organisation)
    period_range(period, date_from, date_to) -> (period, from, to)      # 422 on bad dates
    request_recompute(user=, organisation=, period=, date_from=, date_to=) -> Run   # queued, audited
    compute(run_id, progress=None) -> Run                                # the task (tasks.py) runs this
    refresh_defaults(now=None) -> list[Run]                              # the nightly job
    to_topic(user=, hot_topic=, title=None) -> consultation Topic        # 作为协商选题

A run reads the texts of its period (sources.gather), clusters them (cluster.py) and keeps the
MAX_TOPICS clusters of at least MIN_SIZE items with the highest heat; the texts of the previous period of
the same length are matched to the clusters for the change. docs/hottopics.md says why and what is left.
"""

from __future__ import annotations

import datetime
import logging
import math
import time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Organisation, Role
from zhengxie.core.permissions import acts_in, in_scope, org_scope_q

from . import cluster, sources
from .models import HotTopic, HotTopicItem, Run

logger = logging.getLogger("zhengxie.hottopics")
P = Run.Period
RS = Run.Status
MAX_TOPICS = 30
MIN_SIZE = 2
ITEMS_KEPT = 200  # items stored per hot topic (the most central first)
KEEP_RUNS = 2  # done runs kept per organisation and period (the latest and the one before)
MAX_DAYS = 3 * 366
SUPPORT_WEIGHT = 0.25  # each 附议人 or reply adds a quarter of an item to the heat (at most 20 of them)
VIEW_ROLES = (Role.STAFF, Role.LEADER)


# --- who ---------------------------------------------------------------------------------------------------


def may_view(user, organisation=None) -> bool:
    """Leaders and staff of the organisation or a level above it."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(*VIEW_ROLES):
        return False
    return organisation is None or in_scope(user, organisation)


def may_recompute(user, organisation) -> bool:
    """Staff of the organisation itself (a city reads a county's hot topics, it does not run them)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.has_role(Role.STAFF) and acts_in(user, organisation)
    )


def organisations_for(user) -> list[Organisation]:
    """The user's committee and the committees one level below it (a city picks a county)."""
    org = getattr(user, "organisation", None)
    if org is None or not may_view(user):
        return []
    below = Organisation.objects.filter(
        path__startswith=org.path,
        depth=org.depth + 1,
        kind__in=[Organisation.Kind.CITY, Organisation.Kind.COUNTY],
    ).order_by("path")
    return [org, *below]


def organisation_for(user, value) -> Organisation:
    """The organisation asked for (default: the user's own), if the user may read its hot topics; else 404."""
    org = getattr(user, "organisation", None)
    if value not in (None, ""):
        pk = int(value) if str(value).isdigit() else None
        org = Organisation.objects.filter(pk=pk).first() if pk else None
    if org is None or not may_view(user, org):
        raise NotFound("未找到该政协。")
    return org


# --- periods -----------------------------------------------------------------------------------------------


def _date(value, field: str, label: str):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(f"{label}格式不正确，请填写如 2026-01-31 的日期。", field=field) from None


def period_range(period=None, date_from=None, date_to=None, today=None):
    """(period, first day, last day) of 近90天 (default), 本年度, or a custom from/to (both days included).
    Dates given without a period make it custom."""
    today = today or timezone.localdate()
    start, end = _date(date_from, "from", "开始日期"), _date(date_to, "to", "截止日期")
    period = period or (P.CUSTOM if (start or end) else P.LAST_90)
    if period == P.LAST_90:
        return P.LAST_90, today - datetime.timedelta(days=89), today
    if period == P.YEAR:
        return P.YEAR, datetime.date(today.year, 1, 1), today
    if period != P.CUSTOM:
        raise Invalid("时段须为近90天、本年度或自定义。", field="period")
    if start is None:
        raise Invalid("请填写开始日期。", field="from")
    end = end or today
    if end > today:
        raise Invalid("截止日期不能晚于今天。", field="to")
    if start > end:
        raise Invalid("开始日期不能晚于截止日期。", field="from")
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid("时段不能超过三年。", field="from")
    if start.year < 2000:
        raise Invalid("开始日期不能早于 2000 年。", field="from")
    return P.CUSTOM, start, end


def _bounds(date_from, date_to):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min), tz)
    end = timezone.make_aware(
        datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min), tz
    )
    return start, end


def run_key_q(organisation, period, date_from, date_to) -> Q:
    """The runs of one (organisation, period): 近90天 and 本年度 whatever their dates (the latest is
    the freshest), a custom period only with the same dates."""
    q = Q(organisation=organisation, period=period)
    if period == P.CUSTOM:
        q &= Q(date_from=date_from, date_to=date_to)
    return q


# --- recompute ---------------------------------------------------------------------------------------------


def request_recompute(*, user, organisation, period=None, date_from=None, date_to=None) -> Run:
    """Queue a run (background task with progress). A run of the same period still pending or running is
    answered instead of a second one."""
    from .tasks import compute_task

    if not may_view(user, organisation):
        raise NotFound("未找到该政协。")
    if not may_recompute(user, organisation):
        raise Forbidden("只有本级政协的工作人员可以重新计算热点。")
    period, date_from, date_to = period_range(period, date_from, date_to)
    with transaction.atomic():
        busy = (
            Run.objects.filter(
                run_key_q(organisation, period, date_from, date_to), status__in=[RS.PENDING, RS.RUNNING]
            )
            .select_for_update()
            .first()
        )
        if busy is not None and busy.date_to == date_to:
            return busy
        run = Run.objects.create(
            organisation=organisation, period=period, date_from=date_from, date_to=date_to, requested_by=user
        )
        audit.record(
            user,
            "hottopics.recompute",
            run,
            organisation=organisation,
            after={"period": period, "from": str(date_from), "to": str(date_to)},
        )
        transaction.on_commit(lambda: compute_task.enqueue(run.pk))
    return run


def refresh_defaults(now=None) -> list[Run]:
    """The nightly job: a run of 近90天 and of 本年度 for every committee (city and county; not a 乡镇联络组,
    whose texts count with its committee's), one background task each."""
    from .tasks import compute_task

    today = timezone.localdate(now)
    runs = []
    orgs = Organisation.objects.exclude(kind=Organisation.Kind.LIAISON).order_by("path")
    for org in orgs:
        for period in (P.LAST_90, P.YEAR):
            _, date_from, date_to = period_range(period, today=today)
            run = Run.objects.create(organisation=org, period=period, date_from=date_from, date_to=date_to)
            runs.append(run)
    for run in runs:
        compute_task.enqueue(run.pk)
    return runs


def _progress(run_id):
    def set_progress(value: float) -> None:
        Run.objects.filter(pk=run_id, status=RS.RUNNING).update(
            progress=max(1, min(99, int(value))), updated_at=timezone.now()
        )

    return set_progress


def compute(run_id: int, progress=None) -> Run | None:
    """Compute a queued run: the texts, the clusters, the stored hot topics. A run already taken (running,
    done, failed) is left alone, so a task delivered twice computes once."""
    if not Run.objects.filter(pk=run_id, status=RS.PENDING).update(
        status=RS.RUNNING, progress=1, updated_at=timezone.now()
    ):
        return Run.objects.filter(pk=run_id).first()
    run = Run.objects.select_related("organisation").get(pk=run_id)
    progress = progress or _progress(run.pk)
    began = time.perf_counter()
    try:
        topics, items, counts = _compute(run, progress)
        with transaction.atomic():
            _store(run, topics, items)
            Run.objects.filter(pk=run.pk).update(
                status=RS.DONE,
                progress=100,
                items=sum(counts.values()),
                counts=counts,
                clusters=len(topics),
                seconds=round(time.perf_counter() - began, 2),
                finished_at=timezone.now(),
                error="",
            )
            _prune(run)
    except Exception as exc:  # noqa: BLE001 - the page shows the failure instead of polling for ever
        logger.exception("hot topics run %s failed", run_id)
        Run.objects.filter(pk=run.pk).update(
            status=RS.FAILED,
            error=(getattr(exc, "message", "") or "计算热点时发生意外错误")[:500],
            finished_at=timezone.now(),
        )
    return Run.objects.get(pk=run.pk)


def _buckets(date_from, date_to):
    """Trend buckets: weeks for a period up to 120 days, months beyond; [(first day, label)]."""
    span = (date_to - date_from).days + 1
    out = []
    if span <= 120:
        day = date_from
        while day <= date_to:
            out.append((day, f"{day.month}/{day.day}"))
            day += datetime.timedelta(days=7)
    else:
        day = date_from.replace(day=1)
        while day <= date_to:
            out.append((max(day, date_from), f"{day.year % 100:02d}年{day.month}月"))
            day = (day + datetime.timedelta(days=32)).replace(day=1)
    return out


def threshold_of(organisation) -> float:
    """The organisation's setting hottopics.threshold, or cluster.THRESHOLD when unset or out of range."""
    try:
        value = float(orgsettings.get(organisation, "hottopics.threshold"))
    except (TypeError, ValueError):
        return cluster.THRESHOLD
    return value if 0.05 <= value <= 0.9 else cluster.THRESHOLD


def _compute(run: Run, progress):
    org = run.organisation
    threshold = threshold_of(org)
    start, end = _bounds(run.date_from, run.date_to)
    texts = sources.gather(org, start, end)
    counts = {k: 0 for k in sources.KINDS}
    for t in texts:
        counts[t.kind] += 1
    progress(10)
    if len(texts) < MIN_SIZE:
        return [], [], counts
    raw = [cluster.text_of(t.title, t.body) for t in texts]
    features, X, groups = cluster.cluster(raw, threshold, progress=lambda p: progress(15 + 60 * p))
    progress(75)
    # The previous period of the same length, matched to the clusters (the change).
    span = end - start
    before = sources.gather(org, start - span, start)
    prev = [0] * len(groups)
    if before and groups:
        Xb = features.transform([cluster.text_of(t.title, t.body) for t in before])
        for g in cluster.assign(Xb, groups, threshold).tolist():
            if g >= 0:
                prev[g] += 1
    progress(85)
    buckets = _buckets(run.date_from, run.date_to)
    firsts = [b[0] for b in buckets]
    half_life = max(7.0, (run.date_to - run.date_from).days / 3)
    rows = []
    for gi, g in enumerate(groups):
        members = [texts[i] for i in g.members]
        by_kind = {k: 0 for k in sources.KINDS}
        trend = [0] * len(buckets)
        heat = 0.0
        support = 0
        for t in members:
            by_kind[t.kind] += 1
            day = timezone.localtime(t.date).date()
            b = max(0, sum(1 for f in firsts if f <= day) - 1)
            trend[b] += 1
            age = (end - t.date).total_seconds() / 86400
            heat += t.weight * (1 + SUPPORT_WEIGHT * min(t.support, 20)) * math.pow(2, -age / half_life)
            support += t.support
        central = next((t for t in members if t.title), None)
        label = cluster.short_title(central.title if central else sources.comment_title(members[0].body))
        rows.append(
            {
                "group": gi,
                "label": label[:60],
                "title": (central.title if central else sources.comment_title(members[0].body))[:200],
                "keywords": g.keywords,
                "size": len(members),
                "counts": {k: v for k, v in by_kind.items() if v},
                "trend": [{"label": lab, "n": n} for (_, lab), n in zip(buckets, trend, strict=True)],
                "previous": prev[gi],
                "support": support,
                "heat": round(heat, 2),
                "first_at": min(t.date for t in members),
                "last_at": max(t.date for t in members),
            }
        )
    rows.sort(key=lambda r: (-r["heat"], -r["size"], r["label"]))
    rows = rows[:MAX_TOPICS]
    items = {
        r["group"]: [
            (texts[i], c)
            for i, c in list(zip(groups[r["group"]].members, groups[r["group"]].centrality, strict=True))[
                :ITEMS_KEPT
            ]
        ]
        for r in rows
    }
    progress(95)
    return rows, items, counts


def _store(run: Run, rows, items) -> None:
    # A matter already turned into a consultation topic stays linked to it in the next run: the cluster
    # that shares most items with an earlier linked one.
    linked = {}
    for kind, oid, topic_id in HotTopicItem.objects.filter(
        hot_topic__organisation_id=run.organisation_id, hot_topic__topic__isnull=False
    ).values_list("kind", "object_id", "hot_topic__topic_id"):
        linked[kind, oid] = topic_id
    made = HotTopic.objects.bulk_create(
        [
            HotTopic(
                run=run,
                organisation_id=run.organisation_id,
                rank=n + 1,
                **{
                    k: r[k]
                    for k in (
                        "label",
                        "title",
                        "keywords",
                        "size",
                        "counts",
                        "trend",
                        "previous",
                        "support",
                        "heat",
                        "first_at",
                        "last_at",
                    )
                },
            )
            for n, r in enumerate(rows)
        ]
    )
    rows_items = []
    for ht, r in zip(made, rows, strict=True):
        votes: dict[int, int] = {}
        for t, c in items[r["group"]]:
            rows_items.append(
                HotTopicItem(
                    hot_topic=ht,
                    kind=t.kind,
                    object_id=t.id,
                    title=(t.title or sources.comment_title(t.body))[:200],
                    date=t.date,
                    centrality=c,
                    support=t.support,
                )
            )
            if (t.kind, t.id) in linked:
                votes[linked[t.kind, t.id]] = votes.get(linked[t.kind, t.id], 0) + 1
        if votes:
            ht.topic_id = max(votes, key=votes.get)
    HotTopicItem.objects.bulk_create(rows_items, batch_size=500)
    keep = [ht for ht in made if ht.topic_id]
    if keep:
        HotTopic.objects.bulk_update(keep, ["topic"])


def _prune(run: Run) -> None:
    """Older done runs of the same period beyond KEEP_RUNS, and failed ones older than a week, go."""
    done = list(
        Run.objects.filter(
            run_key_q(run.organisation, run.period, run.date_from, run.date_to), status=RS.DONE
        )
        .order_by("-finished_at", "-id")
        .values_list("pk", flat=True)
    )
    old = done[KEEP_RUNS:]
    if old:
        Run.objects.filter(pk__in=old).delete()
    week = timezone.now() - datetime.timedelta(days=7)
    Run.objects.filter(organisation=run.organisation, status=RS.FAILED, created_at__lt=week).delete()


STALE = "后台任务中断：计算超过 {minutes} 分钟没有进展（服务可能已重启），请重新计算。"


def fail_stale(now=None, minutes: int | None = None) -> int:
    """Runs left running by a killed worker (no progress for EXPORT_STALE_MINUTES) become failed."""
    from django.conf import settings

    now = now or timezone.now()
    minutes = minutes or settings.EXPORT_STALE_MINUTES
    cutoff = now - datetime.timedelta(minutes=minutes)
    silent = Q(updated_at__lt=cutoff) | Q(updated_at__isnull=True, created_at__lt=cutoff)
    return Run.objects.filter(silent, status=RS.RUNNING).update(
        status=RS.FAILED, error=STALE.format(minutes=minutes), finished_at=now
    )


# --- 作为协商选题 -------------------------------------------------------------------------------------------------


def topic_reason(user, ht: HotTopic, items: list[dict]) -> str:
    """The reason of the candidate topic: where the hot topic comes from and the items it cites."""
    from zhengxie.consultation.services.topics import REASON_MAX

    run = ht.run
    kinds = "、".join(f"{sources.SHORT[k]}{n}件" for k, n in ht.counts.items())
    head = (
        f"来源：热点分析（{run.date_from:%Y年%m月%d日}至{run.date_to:%Y年%m月%d日}），同一事项共{ht.size}件"
        f"（{kinds}），上一同长时段{ht.previous}件；关键词：{'、'.join(ht.keywords)}。\n所涉事项：\n"
    )
    lines = []
    for n, it in enumerate(items, 1):
        label = f"{it['label']} " if it.get("label") and it["kind"] == "proposal" else ""
        lines.append(f"{n}. [{sources.SHORT[it['kind']]}] {label}{it['title']}")
    text = head
    for n, line in enumerate(lines):
        if len(text) + len(line) + 20 > REASON_MAX:
            text += f"（另有{len(lines) - n}件，见热点页面）"
            break
        text += line + "\n"
    return text.strip()[:REASON_MAX]


def to_topic(*, user, hot_topic, title=None):
    """作为协商选题: a candidate consultation topic (调研访题, entered by the consultation staff) through the
    consultation app's topic service, its reason citing the items the user may see; the hot topic keeps
    the link (a second click: 409)."""
    from zhengxie.consultation import rules as consultation_rules
    from zhengxie.consultation.services import topics

    ht = get_hot_topic(user, getattr(hot_topic, "pk", hot_topic))
    if not consultation_rules.is_consultation_staff(user, ht.organisation):
        raise Forbidden("只有本级政协办公室或专委会的工作人员可以将热点作为协商选题。")
    title = (title or "").strip() or ht.label
    with transaction.atomic():
        locked = HotTopic.objects.select_for_update().get(pk=ht.pk)
        if locked.topic_id:
            raise Conflict("该热点已作为协商选题。", code="illegal_transition")
        items = item_rows(user, ht)
        t = topics.propose(
            user=user,
            title=title,
            reason=topic_reason(user, ht, items),
            source=topics.SRC.RESEARCH,
            organisation=ht.organisation,
        )
        locked.topic = t
        locked.save(update_fields=["topic"])
        audit.record(
            user,
            "hottopics.to_topic",
            locked,
            organisation=ht.organisation,
            after={"topic": t.pk, "title": t.title, "items": len(items)},
        )
    return t


# --- reads used by the services above (selectors.py has the pages' reads) -----------------------------------


def get_hot_topic(user, pk) -> HotTopic:
    ht = (
        HotTopic.objects.select_related("run", "organisation", "topic")
        .filter(org_scope_q(user), pk=int(pk))
        .first()
        if str(pk).isdigit()
        else None
    )
    if ht is None or not may_view(user, ht.organisation):
        raise NotFound("未找到该热点。")
    return ht


def item_rows(user, ht: HotTopic, limit: int | None = None) -> list[dict]:
    """The hot topic's items the user may see — 提案, 社情民意, 微建议, then hall comments, each kind the most
    central first — with their current title and page: two queries, plus one per kind present."""
    stored = list(
        ht.items.order_by("-centrality", "id").values("kind", "object_id", "date", "centrality", "support")
    )
    by_kind: dict[str, list[int]] = {}
    for s in stored:
        by_kind.setdefault(s["kind"], []).append(s["object_id"])
    seen = sources.visible_items(user, by_kind)
    out = []
    for s in stored:
        v = seen.get((s["kind"], s["object_id"]))
        if v is None:
            continue
        out.append(
            {
                "kind": s["kind"],
                "kind_label": sources.KINDS[s["kind"]],
                "id": s["object_id"],
                "title": v["title"],
                "url": v["url"],
                "label": v["label"],
                "date": s["date"],
                "centrality": s["centrality"],
                "support": s["support"],
            }
        )
    order = {k: n for n, k in enumerate(sources.KINDS)}
    out.sort(key=lambda it: order[it["kind"]])  # stable: centrality within a kind
    return out[:limit] if limit else out
