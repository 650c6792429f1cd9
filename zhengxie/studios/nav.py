"""The studios menu per role, and the workbench to-dos (one aggregate query per role)."""

from django.urls import reverse

from zhengxie.core.models import Office, Role
from zhengxie.core.navigation import register, todo_provider
from zhengxie.members.selectors import member_of

from .models import Booking, DutySlot, DutySwap
from .rules import is_studio_office

SECTION = "委员工作室"

register(SECTION, "我的工作室", "studios:mine", roles=[Role.MEMBER], icon="house-heart", order=350)
register(
    SECTION,
    "委员工作室管理",
    "studios:list",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    offices=[Office.GENERAL],
    icon="shop",
    order=351,
)


@todo_provider
def studio_todos(user) -> list[dict]:
    items = []
    member = member_of(user) if user.has_role(Role.MEMBER) else None
    if member is not None:
        # 待处理 as 我的工作室 lists them: to accept (待受理) and accepted, not yet done.
        n = Booking.objects.filter(
            member_id=member.pk, status__in=(Booking.Status.PENDING, Booking.Status.ACCEPTED)
        ).count()
        items.append(
            {
                "label": "待处理的为民服务预约",
                "count": n,
                "url": reverse("studios:mine") + "#my-bookings",
                "level": "danger",
            }
        )
        n = DutySwap.objects.filter(to_member_id=member.pk, status=DutySwap.Status.ASKED).count()
        items.append(
            {
                "label": "待确认的换班",
                "count": n,
                "url": reverse("studios:mine") + "#my-swaps",
                "level": "warning",
            }
        )
    if is_studio_office(user) and user.organisation_id:
        n = DutySlot.objects.filter(
            organisation_id=user.organisation_id, status=DutySlot.Status.LEAVE_ASKED
        ).count()
        items.append(
            {
                "label": "待审批的值班请假",
                "count": n,
                "url": reverse("studios:list") + "#leave-requests",
                "level": "warning",
            }
        )
        n = DutySwap.objects.filter(
            organisation_id=user.organisation_id, status=DutySwap.Status.AGREED
        ).count()
        items.append(
            {
                "label": "待批准的换班",
                "count": n,
                "url": reverse("studios:list") + "#swap-requests",
                "level": "warning",
            }
        )
    return items
