"""会议活动 on the leaders' dashboard: the year's closed meetings and their attendance (one aggregate query,
counted as on the attendance page: 出席率 = present ÷ invited)."""

from django.db.models import Count, Q
from django.urls import reverse

from zhengxie.core.dashboard import Card, Section, figure_provider
from zhengxie.core.models import Role
from zhengxie.core.permissions import org_scope_q

from .models import Invitation, Meeting

A = Invitation.Attendance


@figure_provider(order=300, roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN], home=(1,))
def attendance_figures(user, period):
    if not user.has_perm("activities.view_attendance"):
        return None
    year = period.year
    c = Meeting.objects.filter(
        org_scope_q(user), status=Meeting.Status.CLOSED, starts_at__year=year
    ).aggregate(
        meetings=Count("id", distinct=True),
        invited=Count("invitations"),
        present=Count("invitations", filter=Q(invitations__attendance=A.PRESENT)),
        on_leave=Count("invitations", filter=Q(invitations__attendance=A.ON_LEAVE)),
        absent=Count("invitations", filter=Q(invitations__attendance=A.ABSENT)),
    )
    url = reverse("activities:attendance") + f"?year={year}"
    rate = round(100 * c["present"] / c["invited"], 1) if c["invited"] else None
    return Section(
        f"会议活动 · {year}年",
        id="activities",
        icon="calendar-event",
        url=url,
        url_label="出勤统计",
        card_cols="col-6 col-md-3",
        cards=[
            Card("已召开会议", c["meetings"], unit=" 次", url=url, id="attendance-meetings"),
            Card(
                "出席率",
                rate,
                unit="%",
                hint=f"应到 {c['invited']} 人次，出席 {c['present']} 人次",
                level="success",
                id="attendance-rate",
            ),
            Card("请假", c["on_leave"], unit=" 人次", id="attendance-on-leave"),
            Card(
                "缺席",
                c["absent"],
                unit=" 人次",
                level="danger" if c["absent"] else "",
                id="attendance-absent",
            ),
        ],
    )
