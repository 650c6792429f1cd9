"""State changes of duty performance. `record_act` / `revoke_act` are what other apps call.

The calling service (proposals, activities ...) already checks permissions and writes its own audit
entry for the act; record_act only turns the act into a DutyRecord and keeps the running total.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import audit, orgsettings, uploads
from zhengxie.core.errors import Conflict, Forbidden, Invalid, ServiceError
from zhengxie.core.models import Role
from zhengxie.core.notifications import notify
from zhengxie.members.models import Member

from . import acts as A
from . import schemes, scoring
from .models import (
    Assessment,
    AssessmentEntry,
    DutyRecord,
    MemberYearScore,
    Recomputation,
    ScoringRule,
    ScoringScheme,
    SelfReport,
)
from .schemes import q


def _source_key(source):
    if source is None:
        return None, ""
    if source.pk is None:
        raise Invalid("履职记录的来源尚未保存。")
    return ContentType.objects.get_for_model(source, for_concrete_model=False), str(source.pk)


def _as_date(value) -> datetime.date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def build_record(
    *,
    member,
    act: str,
    source,
    source_key,
    day,
    scheme,
    points,
    share: Decimal,
    confirmed_by=None,
    note: str = "",
) -> DutyRecord:
    """The unsaved DutyRecord record_act writes (also used by the demo loader to bulk-create the same rows)."""
    rule = scheme.rule_for(act)
    ct, source_id = source_key
    return DutyRecord(
        member_id=member.pk,
        organisation_id=member.organisation_id,
        year=day.year,
        act=act,
        category=rule.category,
        points=q((points if points is not None else rule.points) * share),
        share=share,
        points_fixed=points is not None,
        source_ct=ct,
        source_id=source_id,
        source_repr=str(source)[:200] if source is not None else "",
        occurred_on=day,
        confirmed_by=confirmed_by,
        note=(note or "")[:200],
    )


class Credit(NamedTuple):
    """One act to credit in bulk (bulk_record): who, what, for which source, on which day (a date or an
    aware datetime), with the member's share of a joint act."""

    member: Member
    act: str
    source: object
    day: datetime.date | datetime.datetime
    share: Decimal | int | float = 1
    confirmed_by: object = None
    note: str = ""
    voided: bool = False  # written voided (a withdrawn act, kept in the record as record_act keeps it)


def bulk_record(credits: Iterable[Credit], *, voided_at=None) -> list[DutyRecord]:
    """The duty records record_act would write for many acts at once (the demo loaders): one per member,
    act and source (the first; voided ones besides), bulk-created, then each organisation's year totals
    recomputed once — record_act refreshes a member's score on every act, which made the demo's thousands
    of credits its slowest part."""
    schemes, seen, records = {}, set(), []
    for c in credits:
        key = _source_key(c.source)
        if not c.voided:
            if (c.member.pk, c.act, key) in seen:
                continue
            seen.add((c.member.pk, c.act, key))
        day = _as_date(c.day)
        scheme = schemes.get((c.member.organisation_id, day.year))
        if scheme is None:
            scheme = schemes[(c.member.organisation_id, day.year)] = scoring.resolve(
                c.member.organisation_id, day.year
            )
        r = build_record(
            member=c.member,
            act=c.act,
            source=c.source,
            source_key=key,
            day=day,
            scheme=scheme,
            points=None,
            share=Decimal(str(c.share)).quantize(Decimal("0.0001")),
            confirmed_by=c.confirmed_by,
            note=c.note,
        )
        if c.voided:
            r.voided, r.voided_at = True, voided_at or timezone.now()
        records.append(r)
    DutyRecord.objects.bulk_create(records, batch_size=1000)
    for org, year in schemes:
        scoring.recompute_year(org, year)
    return records


def record_act(
    *,
    member,
    act: str,
    source=None,
    occurred_on=None,
    points=None,
    confirmed_by=None,
    note: str = "",
    share: float = 1.0,
) -> DutyRecord | None:
    """The ONE way a scored act becomes a DutyRecord. `act` is a code from acts.ACTS.

    Idempotent per (member, act, source): a second call returns the existing record. Points come from
    the member's organisation's scheme for the year of `occurred_on` unless `points` is given; `share`
    splits them (joint proposals). Caps are applied when totals are computed, not by dropping records.
    Returns None when there is no member (e.g. a collective proposal with no member behind it).
    """
    if member is None:
        return None
    if act not in A.ACTS:
        raise Invalid(f"未知的履职事项：{act}")
    try:
        share_d = Decimal(str(share)).quantize(Decimal("0.0001"))
        fixed = None if points is None else Decimal(str(points))
    except (InvalidOperation, ValueError):
        raise Invalid("积分或分享比例不是有效数字。")
    if not (Decimal(0) <= share_d <= Decimal(1)):
        raise Invalid("分享比例须在 0 到 1 之间。")
    ct, source_id = _source_key(source)
    day = _as_date(occurred_on)
    year = day.year

    def existing():
        if ct is None:
            return None
        return DutyRecord.objects.filter(
            member_id=member.pk, act=act, source_ct=ct, source_id=source_id, voided=False
        ).first()

    with transaction.atomic():
        row = scoring.lock_member_year(member, year)
        found = existing()
        if found is not None:
            return found
        scheme = scoring.resolve(member.organisation_id, year)
        record = build_record(
            member=member,
            act=act,
            source=source,
            source_key=(ct, source_id),
            day=day,
            scheme=scheme,
            points=fixed,
            share=share_d,
            confirmed_by=confirmed_by,
            note=note,
        )
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:  # a concurrent caller recorded it first
            found = existing()
            if found is None:
                raise
            return found
        scoring.refresh_member(member, year, scheme, row)
    return record


def revoke_act(*, member, act: str, source) -> None:
    """Void the live record of (member, act, source), e.g. when attendance is corrected. No-op if none."""
    if member is None:
        return
    ct, source_id = _source_key(source)
    with transaction.atomic():
        records = list(
            DutyRecord.objects.filter(
                member_id=member.pk, act=act, source_ct=ct, source_id=source_id, voided=False
            )
        )
        if not records:
            return
        # Lock the score rows first, in the same order as record_act, so the two never deadlock.
        rows = {year: scoring.lock_member_year(member, year) for year in sorted({r.year for r in records})}
        DutyRecord.objects.filter(pk__in=[r.pk for r in records], voided=False).update(
            voided=True, voided_at=timezone.now()
        )
        for year, row in rows.items():
            scoring.refresh_member(member, year, row=row)


# --- self-reports (履职自报) ---------------------------------------------------------------------------


def self_report_submit(*, user, act: str, occurred_on, description: str, evidence) -> SelfReport:
    """A member reports an act with evidence (a photo, PDF or Word file), for staff to confirm."""
    member = getattr(user, "member", None) if user.has_role(Role.MEMBER) else None
    if member is None:
        raise Forbidden("只有委员本人可以自报履职情况。")
    if act not in A.SELF_REPORTABLE:
        raise Invalid("请选择可以自报的履职事项。", field="act")
    if occurred_on is None:
        raise Invalid("请填写履职日期。", field="occurred_on")
    if occurred_on > timezone.localdate():
        raise Invalid("履职日期不能晚于今天。", field="occurred_on")
    description = (description or "").strip()
    if not description:
        raise Invalid("请填写情况说明。", field="description")
    if evidence is None:
        raise Invalid("请上传佐证材料（照片、PDF 或 Word 文件），没有佐证材料不能提交。", field="evidence")
    with transaction.atomic():
        report = SelfReport.objects.create(
            member=member,
            organisation_id=member.organisation_id,
            act=act,
            occurred_on=occurred_on,
            description=description[:2000],
        )
        try:
            uploads.save_attachment(
                evidence, target=report, user=user, purpose="evidence", allowed=uploads.EVIDENCE
            )
        except Invalid as exc:
            raise Invalid(exc.message, field="evidence")
        audit.record(user, "performance.self_report_submit", report, after=audit.snapshot(report))
    return report


def _review_check(user, report):
    if not user.has_perm("performance.review_selfreport", report):
        raise Forbidden("只有本级政协机关工作人员可以审核履职自报。")
    if report.status != SelfReport.Status.PENDING:
        raise Conflict("该自报已审核过。")


def self_reports_confirm(*, user, ids) -> tuple[list[str], list[str]]:
    """批量确认: confirm each pending report of `ids` the user may review through self_report_confirm (the single
    确认计分), in one transaction where each report has its own savepoint: one refused (its own rule decides)
    is left out and named with the reason, the others are confirmed together. Returns what was confirmed
    ("姓名「事项」计 N 分") and the Chinese reasons of those that were not."""
    from .selectors import review_queue

    wanted = {int(i) for i in ids if str(i).isdigit()}
    if not wanted:
        raise Invalid("请先勾选要确认的自报。", field="ids")
    if len(wanted) > 200:
        raise Invalid("一次最多确认 200 条自报。", field="ids")
    reports = list(review_queue(user, SelfReport.Status.PENDING).filter(pk__in=wanted))
    done, refused = [], []
    with transaction.atomic():
        for report in reports:
            try:
                record = self_report_confirm(user=user, report=report)
            except ServiceError as exc:
                refused.append(f"{report.member.name}「{report.act_label}」：{exc.message}")
            else:
                done.append(f"{report.member.name}「{report.act_label}」计 {record.points} 分")
    missing = len(wanted) - len(reports)
    if missing:
        refused.append(f"{missing} 条已处理或不在您的审核范围内。")
    return done, refused


def self_report_confirm(*, user, report: SelfReport) -> DutyRecord:
    with transaction.atomic():
        report = (
            SelfReport.objects.select_for_update().select_related("member", "member__user").get(pk=report.pk)
        )
        _review_check(user, report)
        before = audit.snapshot(report, ["status"])
        report.status = SelfReport.Status.CONFIRMED
        report.reviewer = user
        report.reviewed_at = timezone.now()
        report.save(update_fields=["status", "reviewer", "reviewed_at"])
        record = record_act(
            member=report.member,
            act=report.act,
            source=report,
            occurred_on=report.occurred_on,
            confirmed_by=user,
            note=report.description[:200],
        )
        audit.record(
            user,
            "performance.self_report_confirm",
            report,
            before=before,
            after={"status": report.status, "points": str(record.points)},
        )
        notify(
            [report.member.user],
            f"您自报的“{report.act_label}”已确认，计 {record.points} 分",
            report.description[:100],
            url=report.get_absolute_url(),
            category="performance",
        )
    return record


def self_report_reject(*, user, report: SelfReport, reason: str) -> SelfReport:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写未通过的原因。", field="reason")
    with transaction.atomic():
        report = (
            SelfReport.objects.select_for_update().select_related("member", "member__user").get(pk=report.pk)
        )
        _review_check(user, report)
        before = audit.snapshot(report, ["status"])
        report.status = SelfReport.Status.REJECTED
        report.reviewer = user
        report.reviewed_at = timezone.now()
        report.reason = reason[:500]
        report.save(update_fields=["status", "reviewer", "reviewed_at", "reason"])
        audit.record(
            user,
            "performance.self_report_reject",
            report,
            before=before,
            after={"status": report.status, "reason": report.reason},
        )
        notify(
            [report.member.user],
            f"您自报的“{report.act_label}”未通过确认",
            f"原因：{report.reason}",
            url=report.get_absolute_url(),
            category="performance",
        )
    return report


# --- scoring scheme (积分方案) -----------------------------------------------------------------------


def _num(value, label, *, allow_none=False):
    if value in (None, "") and allow_none:
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Invalid(f"{label}不是有效数字。")
    if not d.is_finite() or abs(d) > Decimal("100000"):
        raise Invalid(f"{label}超出范围。")
    return q(d)


def clean_scheme_data(data: dict) -> dict:
    """Validate a scheme as posted by the page or the API; returns normalised data or raises Invalid."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise Invalid("请填写方案名称。", field="name")
    categories, codes = [], set()
    for c in data.get("categories") or []:
        code = str(c.get("code") or "").strip()
        if not code:
            continue
        if code in codes:
            raise Invalid(f"类别代码“{code}”重复。")
        codes.add(code)
        cap = _num(c.get("cap"), f"类别“{c.get('label') or code}”的上限", allow_none=True)
        categories.append(
            {
                "code": code,
                "label": str(c.get("label") or code)[:30],
                "cap": None if cap is None else float(cap),
            }
        )
    if not categories:
        raise Invalid("至少需要一个积分类别。")
    rules, seen = [], set()
    for r in data.get("rules") or []:
        act = r.get("act")
        if not act:
            continue
        if act not in A.ACTS:
            raise Invalid(f"未知的履职事项：{act}")
        if act in seen:
            raise Invalid(f"履职事项“{A.label(act)}”重复。")
        seen.add(act)
        if r.get("category") not in codes:
            raise Invalid(f"“{A.label(act)}”所属类别不存在。")
        cap = _num(r.get("cap"), f"“{A.label(act)}”的单项上限", allow_none=True)
        rules.append(
            {
                "act": act,
                "category": r["category"],
                "points": float(_num(r.get("points"), f"“{A.label(act)}”的分值")),
                "cap": None if cap is None else float(cap),
                "unit": str(r.get("unit") or "次")[:10],
            }
        )
    grades = []
    for g in data.get("grades") or []:
        minimum, label = (g.get("min"), g.get("label")) if isinstance(g, dict) else g
        label = str(label or "").strip()
        if not label:
            continue
        grades.append([float(_num(minimum, f"等次“{label}”的分数线")), label[:20]])
    grades.sort(key=lambda g: -g[0])
    if not grades:
        raise Invalid("请至少设置一个考核等次。")
    warning_rules = []
    for w in data.get("warning_rules") or []:
        if not w.get("code") or not w.get("kind"):
            continue
        step = w.get("step") or "谈话提醒"
        if step not in schemes.WARNING_STEPS:
            raise Invalid(f"预警措施只能是：{'、'.join(schemes.WARNING_STEPS)}。")
        warning_rules.append(
            {
                "code": str(w["code"])[:40],
                "label": str(w.get("label") or w["code"])[:200],
                "kind": w["kind"],
                "acts": [a for a in w.get("acts") or [] if a in A.ACTS],
                "min": int(_num(w.get("min") or 1, "预警次数")),
                "years": max(2, min(int(_num(w.get("years") or 2, "连续年数")), 5)),
                "step": step,
                "enabled": bool(w.get("enabled", True)),
            }
        )
    return {
        "name": name[:100],
        "base_points": float(_num(data.get("base_points") or 0, "基础分")),
        "pass_mark": float(
            _num(data.get("pass_mark") if data.get("pass_mark") not in (None, "") else 60, "合格分")
        ),
        "grades": grades,
        "categories": categories,
        "rules": rules,
        "warning_rules": warning_rules,
        "template": str(data.get("template") or "")[:20],
    }


def scheme_save(*, user, organisation, year: int, data: dict) -> tuple[ScoringScheme, Recomputation]:
    """Save an organisation's scheme for a year, re-value its records and recompute everyone's score
    (in the background for a big organisation; the returned Recomputation shows the progress)."""
    if not user.has_perm("performance.change_scheme", organisation):
        raise Forbidden("只有系统管理员可以修改积分方案。")
    if organisation.kind == organisation.Kind.LIAISON:
        raise Invalid("积分方案按政协组织设置，乡镇联络组使用所属政协的方案。")
    if not (2000 <= int(year) <= 2100):
        raise Invalid("年度不正确。")
    clean = clean_scheme_data(data)
    with transaction.atomic():
        scheme = (
            ScoringScheme.objects.select_for_update()
            .prefetch_related("rules")
            .filter(organisation=organisation, year=year)
            .first()
        )
        before = scheme.as_data() if scheme is not None else None
        if scheme is None:
            scheme = ScoringScheme(organisation=organisation, year=year)
        scheme.name = clean["name"]
        scheme.template = clean["template"] or scheme.template
        scheme.base_points = clean["base_points"]
        scheme.pass_mark = clean["pass_mark"]
        scheme.grades = clean["grades"]
        scheme.categories = clean["categories"]
        scheme.warning_rules = clean["warning_rules"]
        scheme.updated_by = user
        scheme.save()
        scheme.rules.all().delete()
        ScoringRule.objects.bulk_create(
            [
                ScoringRule(
                    scheme=scheme,
                    act=r["act"],
                    category=r["category"],
                    points=r["points"],
                    cap=r["cap"],
                    unit=r["unit"],
                    order=i,
                )
                for i, r in enumerate(clean["rules"])
            ]
        )
        after = {k: v for k, v in clean.items() if k != "template"}
        audit.record(
            user, "performance.scheme_save", scheme, before=before, after=after, organisation=organisation
        )
        recomputation = recompute_request(user=user, organisation=organisation, year=year)
    return scheme, recomputation


def recompute_request(*, user, organisation, year: int) -> Recomputation:
    """Recompute a year now (small organisation) or as a background task with progress (big one)."""
    from .tasks import recompute_scores

    if not user.has_perm("performance.change_scheme", organisation):
        raise Forbidden("只有本级政协的系统管理员可以重新计算履职得分。")
    n = Member.objects.filter(organisation=organisation).count()
    run = Recomputation.objects.create(organisation=organisation, year=year, members=n, requested_by=user)
    if n > int(orgsettings.get(organisation, "performance.background_recompute_members")):
        transaction.on_commit(lambda: recompute_scores.enqueue(run.pk))
    else:
        run_recomputation(run)
    return run


def run_recomputation(run: Recomputation) -> Recomputation:
    def progress(p):
        # Running rows only: a slow worker's late progress does not revive a run failed as stale.
        Recomputation.objects.filter(pk=run.pk, status=Recomputation.Status.RUNNING).update(
            progress=p, updated_at=timezone.now()
        )

    Recomputation.objects.filter(pk=run.pk).update(
        status=Recomputation.Status.RUNNING, progress=5, updated_at=timezone.now()
    )
    try:
        # Totals first (they read the scheme, not the stored points), then each record's own figure.
        scoring.recompute_year(run.organisation_id, run.year, lambda p: progress(p * 7 // 10))
        scoring.revalue_records(run.organisation_id, run.year, progress=lambda p: progress(70 + p * 3 // 10))
    except Exception as exc:
        Recomputation.objects.filter(pk=run.pk).update(
            status=Recomputation.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    Recomputation.objects.filter(pk=run.pk).update(
        status=Recomputation.Status.DONE, progress=100, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


RECOMPUTE_STALE = "后台任务中断：重算超过 {minutes} 分钟没有进展（服务可能已重启）。请点击“重新计算”。"


def fail_stale_recomputations(now=None, minutes: int | None = None) -> int:
    """Running recomputes whose worker has given no sign of life for `minutes` (EXPORT_STALE_MINUTES) are
    marked failed with a message the scheme page shows next to a retry button (a worker killed mid-run
    would leave them running for ever)."""
    from django.conf import settings
    from django.db.models import Q

    now = now or timezone.now()
    minutes = minutes or settings.EXPORT_STALE_MINUTES
    cutoff = now - datetime.timedelta(minutes=minutes)
    silent = Q(updated_at__lt=cutoff) | Q(updated_at__isnull=True, created_at__lt=cutoff)
    return Recomputation.objects.filter(silent, status=Recomputation.Status.RUNNING).update(
        status=Recomputation.Status.FAILED, error=RECOMPUTE_STALE.format(minutes=minutes), finished_at=now
    )


def recompute_retry(*, user, run: Recomputation) -> Recomputation:
    """A failed recompute run again for the same organisation and year (a new run; the right to recompute
    is checked by recompute_request, which audits nothing itself: the retry is audited here)."""
    if run.status != Recomputation.Status.FAILED:
        raise Conflict("只有失败的重算可以重新计算。")
    with transaction.atomic():
        new = recompute_request(user=user, organisation=run.organisation, year=run.year)
        audit.record(
            user,
            "performance.recompute_retry",
            new,
            organisation=run.organisation,
            after={"year": run.year, "failed_run": run.pk},
        )
    return new


def recompute_now(*, organisation, year: int) -> int:
    """Synchronous recompute (tests, scripts, the nightly job)."""
    return scoring.recompute_year(organisation.pk, year)


# --- warnings (预警): the cases of 动态退出 are services_warnings.py -------------------------------------


# --- yearly assessment (年度履职考核) --------------------------------------------------------------------


def assessment_create(*, user, organisation, year: int) -> Assessment:
    if not user.has_perm("performance.run_assessment", organisation):
        raise Forbidden("只有本级政协机关工作人员可以开展年度考核。")
    if Assessment.objects.filter(organisation=organisation, year=year).exists():
        raise Conflict(f"{year}年度考核已经创建。")
    with transaction.atomic():
        scoring.recompute_year(organisation.pk, year)
        scheme = scoring.resolve(organisation.pk, year)
        assessment = Assessment.objects.create(
            organisation=organisation, year=year, created_by=user, scheme_name=scheme.name
        )
        rows = MemberYearScore.objects.filter(
            organisation=organisation, year=year, member__status=Member.Status.ACTIVE
        ).values_list("member_id", "total", "grade")
        AssessmentEntry.objects.bulk_create(
            [
                AssessmentEntry(
                    assessment=assessment, member_id=mid, score=total, proposed_grade=grade, final_grade=grade
                )
                for mid, total, grade in rows
            ],
            batch_size=1000,
        )
        audit.record(
            user,
            "performance.assessment_create",
            assessment,
            after={"year": year, "scheme": scheme.name, "members": len(rows)},
        )
    return assessment


def assessment_adjust(*, user, entry: AssessmentEntry, grade: str, reason: str) -> AssessmentEntry:
    assessment = entry.assessment
    if not user.has_perm("performance.run_assessment", assessment):
        raise Forbidden("只有本级政协机关工作人员可以调整考核等次。")
    reason = (reason or "").strip()
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.is_locked:
            raise Conflict("考核结果已确认，不能再调整。")
        grades = [g for _, g in scoring.resolve(assessment.organisation_id, assessment.year).grades]
        if grade not in grades:
            raise Invalid(f"等次只能是：{'、'.join(grades)}。", field="grade")
        if grade != entry.proposed_grade and not reason:
            raise Invalid("调整等次须填写理由。", field="reason")
        before = {"final_grade": entry.final_grade, "reason": entry.reason}
        entry.final_grade = grade
        entry.reason = reason[:500] if grade != entry.proposed_grade else ""
        entry.adjusted_by = user if grade != entry.proposed_grade else None
        entry.save(update_fields=["final_grade", "reason", "adjusted_by"])
        audit.record(
            user,
            "performance.assessment_adjust",
            entry,
            before=before,
            after={"final_grade": grade, "reason": entry.reason},
            organisation=assessment.organisation,
        )
    return entry


def assessment_confirm(*, user, assessment: Assessment) -> Assessment:
    if not user.has_perm("performance.run_assessment", assessment):
        raise Forbidden("只有本级政协机关工作人员可以确认考核结果。")
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.is_locked:
            raise Conflict("考核结果已经确认。")
        assessment.status = Assessment.Status.CONFIRMED
        assessment.confirmed_by = user
        assessment.confirmed_at = timezone.now()
        assessment.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        by_grade = defaultdict(list)
        for e in assessment.entries.select_related("member__user"):
            by_grade[e.final_grade].append(e.member.user)
        audit.record(
            user,
            "performance.assessment_confirm",
            assessment,
            before={"status": "draft"},
            after={"status": "confirmed", "grades": {g: len(u) for g, u in by_grade.items()}},
        )
        for grade, users in by_grade.items():
            notify(
                users,
                f"{assessment.year}年度委员履职考核结果：{grade}",
                "考核结果已确认，可在“我的履职档案”查看。",
                url=reverse("performance:me"),
                category="performance",
                email=False,
            )
    return assessment
