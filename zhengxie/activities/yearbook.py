"""会议活动 in the work report: meetings held per kind, attendance, and training coverage (three queries)."""

from django.db.models import Count, F, Q
from django.urls import reverse

from zhengxie.members.models import Member
from zhengxie.yearbook.registry import Figure, Part, pct, provider

from .models import Invitation, Meeting

A = Invitation.Attendance
K = Meeting.Kind
# 新任委员: first served in the current term (members.Member.is_new), read through the invitation.
NEW = Q(member__entry_term_number=F("member__term__number"))


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
        trained_new=Count(
            "member_id", filter=Q(attendance=A.PRESENT, meeting__kind=K.TRAINING) & NEW, distinct=True
        ),
    )
    roll = Member.objects.filter(organisation_id__in=ids, status=Member.Status.ACTIVE).aggregate(
        members=Count("id"), new=Count("id", filter=Q(entry_term_number=F("term__number")))
    )
    members = roll["members"]
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
        Figure(
            "trained_new_share",
            "受训新任委员比例",
            pct(att["trained_new"], roll["new"]),
            "%",
            "年内至少出席一次培训的新任委员（本届首次任委员）÷ 在任新任委员。",
            url,
        ),
    ]
    share = pct(att["trained_members"], members)
    sentence = (
        f"召开各类会议和活动{sum(per_kind.values())}次，委员出席率{pct(att['present'], att['invited']) or 0}%"
    )
    if att["trained"]:
        sentence += f"；培训委员{att['trained']}人次，{share}%的委员"
        new_share = pct(att["trained_new"], roll["new"])
        sentence += f"、{new_share}%的新任委员接受了培训" if new_share is not None else "接受了培训"
    return Part("activities", "会议活动", figures, sentence + "。", months={"会议活动": months}, url=url)
