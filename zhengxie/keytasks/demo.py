"""Demo 重点工作 of 青川县 for the current year: a list of realistic categories (政治引领, 协商议政, 民主监督
…) with owners (the 办公室, the 提案委员会, the 信息科 and the 专委会 as units), the leader, time tables
and milestones, and mixed progress — done, on schedule, behind (yellow) and late (red) — with a history of
reports; then the daily check sets every light. Tasks are made through the services (numbers, audit,
notices); the history is written directly with its past dates."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhengxie.core.models import User

from . import services
from .models import KeyTask, Milestone, ProgressReport

# (category, title, unit, owner username, due (month, day), share of the expected percent reached)
TASKS = [
    ("政治引领", "深入学习贯彻党的创新理论，开展理论学习中心组学习12次", "办公室", "office", (12, 31), 1.0),
    ("政治引领", "组织委员开展“凝心铸魂”专题培训2期", "文化文史和学习委员会", "office", (10, 31), None),
    ("协商议政", "围绕县域经济高质量发展召开专题议政性常委会议", "经济委员会", "office", (9, 30), None),
    ("协商议政", "开展“有事好商量”月度协商座谈10次", "办公室", "office", (12, 20), 0.95),
    ("协商议政", "就农村人居环境整治开展对口协商", "农业农村委员会", "office", (12, 31), 0.7),
    ("民主监督", "组织民主监督小组对3家县直部门开展委派监督", "社会和法制委员会", "office", (11, 30), 0.8),
    ("民主监督", "开展营商环境专项民主评议", "经济委员会", "office", (12, 31), 0.55),
    ("提案工作", "提案立案率达90%以上，办复率100%", "提案委员会", "staff", (11, 30), None),
    ("提案工作", "遴选并督办重点提案10件，开展重点提案办理“回头看”", "提案委员会", "staff", (12, 31), 0.9),
    ("社情民意", "全年报送社情民意信息不少于120条，被采用30条以上", "信息科", "info", (12, 31), 0.85),
    ("委员履职", "建成委员工作室8个并实现线上值班常态化", "办公室", "office", (8, 31), None),
    ("委员履职", "完成委员年度履职量化考核和一员一档归档", "办公室", "office", (12, 31), 0.4),
    ("文史工作", "编辑出版《青川文史资料》第十五辑", "文化文史和学习委员会", "office", (12, 15), 0.75),
    ("自身建设", "开展机关作风建设年活动，修订机关管理制度", "办公室", "office", (6, 30), None),
]
NOTES = [
    "已制定工作方案，明确责任分工和时间节点。",
    "按计划推进，已完成阶段性任务。",
    "召开推进会，协调解决了存在的困难。",
    "形成初稿，正在征求各方意见。",
]


def load(ctx):
    county = ctx["county"]
    today = timezone.localdate()
    year = today.year
    office = User.objects.get(username="office")
    leader = User.objects.filter(username="leader").first()
    users = {u.username: u for u in User.objects.filter(username__in=["office", "staff", "info"])}
    tasks = []
    for category, title, unit, owner, (month, day), share in TASKS:
        due = datetime.date(year, month, day)
        start = datetime.date(year, 1, 1)
        span = (due - start).days
        milestones = [
            {"title": "制定工作方案", "due_on": start + datetime.timedelta(days=span // 6)},
            {"title": "组织实施", "due_on": start + datetime.timedelta(days=span // 2)},
            {"title": "总结验收", "due_on": due},
        ]
        t = services.create(
            office,
            organisation=county,
            year=year,
            category=category,
            title=title,
            owner=users[owner],
            owner_unit=unit,
            leader=leader,
            due_on=due,
            milestones=milestones,
            description=f"{title}。责任部门：{unit}；按时间表节点推进，按月报送进展。",
        )
        tasks.append((t, share))
    reports = []
    for t, share in tasks:
        expected = t.expected_percent
        final = 100 if share is None else max(0, min(99, int(expected * share)))
        steps = [p for p in (final // 3, (final * 2) // 3, final) if p > 0]
        start = datetime.datetime.combine(
            t.starts_on, datetime.time(10), tzinfo=timezone.get_current_timezone()
        )
        span = max(1, (min(today, t.due_on) - t.starts_on).days)
        previous = 0
        for i, p in enumerate(steps, 1):
            at = start + datetime.timedelta(days=span * i // (len(steps) + 1))
            reports.append(
                ProgressReport(
                    task=t,
                    percent=p,
                    previous=previous,
                    note=NOTES[(t.number + i) % len(NOTES)] if p < 100 else "各项任务已全部完成，通过验收。",
                    expected=min(100, expected * i // len(steps)),
                    light="green",
                    reported_by=t.owner,
                    at=at,
                )
            )
            previous = p
        t.percent = final
        if final == 100:
            t.status, t.done_at = KeyTask.Status.DONE, reports[-1].at
        t.last_reported_at = reports[-1].at if steps else None
        t.save(update_fields=["percent", "status", "done_at", "last_reported_at"])
        # Milestones whose date has passed are done, except where the task lags.
        for m in t.milestones.all():
            if m.due_on <= today and (
                share is None or share >= 0.8 or m.due_on < t.due_on - datetime.timedelta(days=120)
            ):
                Milestone.objects.filter(pk=m.pk).update(done_on=m.due_on)
    ProgressReport.objects.bulk_create(reports)
    services.refresh(today)
