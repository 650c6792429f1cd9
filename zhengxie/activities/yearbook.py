"""会议活动 in the work report: meetings held per kind, attendance, and training coverage (three queries)."""

from django.db.models import Count, Q
from django.urls import reverse

from zhengxie.members.models import Member
from zhengxie.yearbook.registry import Figure, Part, pct, provider

from .models import Invitation, Meeting

A = Invitation.Attendance
K = Meeting.Kind


@provider("activities", "会议活动", order=40)
def meeting_figures(committee, ids, year):
    held = Meeting.objects.filter(organisation_id__in=ids, status=Meeting.Status.CLOSED, starts_at__year=year)
    per_kind = dict(held.values_list("kind").annotate(n=Count("id")).order_by())
    att = Invitation.objects.filter(meeting__in=held).aggregate(
        invited=Count("id"),
        present=Count("id", filter=Q(attendance=A.PRESENT)),
        trained=Count("id", filter=Q(attendance=A.PRESENT, meeting__kind=K.TRAINING)),
        trained_members=Count(
            "member_id", filter=Q(attendance=A.PRESENT, meeting__kind=K.TRAINING), distinct=True
        ),
    )
    members = Member.objects.filter(organisation_id__in=ids, status=Member.Status.ACTIVE).count()
    url = reverse("activities:attendance") + f"?year={year}"
    months = [0] * 12
    for m, n in held.values_list("starts_at__month").annotate(n=Count("id")).order_by():
        months[m - 1] = n
    figures = [
        Figure("held", "召开会议和活动", sum(per_kind.values()), "次", "年度内已结束的各类会议和活动。", url),
        *(
            Figure(
                f"kind_{kind}",
                label,
                per_kind.get(kind, 0),
                "次",
                f"已结束的{label}。",
                reverse("activities:list"),
            )
            for kind, label in K.choices
            if per_kind.get(kind)
        ),
        Figure(
            "attendance_rate",
            "出席率",
            pct(att["present"], att["invited"]),
            "%",
            "出席人次 ÷ 应到人次（已结束的会议）。",
            url,
        ),
        Figure("trained", "培训", att["trained"], "人次", "出席培训的委员人次。", url),
        Figure(
            "trained_share",
            "受训委员比例",
            pct(att["trained_members"], members),
            "%",
            "年内至少出席一次培训的委员 ÷ 在任委员。",
            url,
        ),
    ]
    share = pct(att["trained_members"], members)
    sentence = (
        f"召开各类会议和活动{sum(per_kind.values())}次，委员出席率{pct(att['present'], att['invited']) or 0}%"
    )
    if att["trained"]:
        sentence += f"；培训委员{att['trained']}人次，{share}%的委员接受了培训"
    return Part("activities", "会议活动", figures, sentence + "。", months={"会议活动": months}, url=url)
