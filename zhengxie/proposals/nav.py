"""The 提案 menu per role, and the workbench to-dos (a couple of aggregate queries per role)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.models import Office, Role
from zhengxie.core.navigation import queue_columns, register, todo_provider

from . import workflow as wf
from .lights import review_late_before
from .models import Assignment, FollowUp, Proposal
from .rules import is_proposal_office, is_unit_user, member_of
from .selectors import followup, todo
from .workflow import HANDLING_STATES

OFFICE_VIEWERS = [Role.STAFF, Role.LEADER, Role.SYSADMIN]
PROPOSAL_OFFICE = [Office.PROPOSAL]
S = Proposal.Status

register("提案", "我的提案", "proposals:mine", roles=[Role.MEMBER], icon="file-earmark-text", order=200)
register("提案", "起草提案", "proposals:create", roles=[Role.MEMBER], icon="pencil-square", order=201)
register("提案", "本会提案", "proposals:accepted", roles=[Role.MEMBER], icon="collection", order=202)
register(
    "提案",
    "全部提案",
    "proposals:list",
    roles=[*OFFICE_VIEWERS, Role.UNIT_HANDLER, Role.UNIT_HEAD],
    icon="list-ul",
    order=203,
)
register(
    "提案",
    "立案审查",
    "proposals:review_queue",
    roles=[Role.STAFF],
    offices=PROPOSAL_OFFICE,
    icon="clipboard-check",
    order=204,
)
register(
    "提案",
    "交办提案",
    "proposals:batch_assign",
    roles=[Role.STAFF],
    offices=PROPOSAL_OFFICE,
    icon="send",
    order=205,
)
register(
    "提案",
    "调整申请",
    "proposals:changes",
    roles=[Role.STAFF],
    offices=PROPOSAL_OFFICE,
    icon="arrow-left-right",
    order=206,
)
register(
    "提案",
    "重点提案",
    "proposals:key",
    roles=[Role.LEADER, Role.STAFF],
    offices=PROPOSAL_OFFICE,
    icon="star",
    order=207,
)
register("提案", "提案统计", "proposals:stats", roles=OFFICE_VIEWERS, icon="bar-chart-line", order=208)
register(
    "提案",
    "提案汇编",
    "proposals:compilation",
    roles=[Role.STAFF],
    offices=PROPOSAL_OFFICE,
    icon="journal-richtext",
    order=209,
)


@todo_provider
def proposal_todos(user) -> list[dict]:
    items = []
    member = member_of(user) if user.has_role(Role.MEMBER) else None
    if member is not None:
        mine = reverse("proposals:mine")
        c = Proposal.objects.filter(todo.mine_q(user, member)).aggregate(
            **{key: Count("id", filter=q) for key, q in todo.member_todo_q(user, member).items()}
        )
        levels = {"rate": "danger", "cosign": "warning", "join": "warning", "drafts": "secondary"}
        items += [
            {"label": label, "count": c[key], "url": f"{mine}?todo={key}", "level": levels[key]}
            for key, label in todo.LABELS.items()
        ]
    if is_proposal_office(user):
        late_before = review_late_before(user.organisation)
        c = Proposal.objects.filter(organisation_id=user.organisation_id).aggregate(
            review=Count("id", filter=Q(status__in=wf.states("review"))),
            review_late=Count("id", filter=Q(status__in=wf.states("review"), submitted_at__lt=late_before)),
            assign=Count("id", filter=Q(status__in=wf.states("assign"))),
            red=Count("id", filter=Q(status__in=HANDLING_STATES, light=Proposal.Light.RED)),
        )
        changes = Assignment.objects.filter(
            case__organisation_id=user.organisation_id,
            case__kind="proposal",
            is_active=True,
            change_status=Assignment.ChangeStatus.PENDING,
        ).count()
        items += [
            {
                "label": "待审查的提案",
                "count": c["review"],
                "url": reverse("proposals:review_queue"),
                "level": "danger",
            },
            {
                "label": "审查超期的提案",
                "count": c["review_late"],
                "url": reverse("proposals:review_queue") + "?overdue=1",
                "level": "danger",
            },
            {
                "label": "待交办的提案",
                "count": c["assign"],
                "url": reverse("proposals:batch_assign") + "#assign-rows",
                "level": "primary",
            },
            {
                "label": "承办单位调整申请",
                "count": changes,
                "url": reverse("proposals:changes"),
                "level": "warning",
            },
            {
                "label": "红灯（超期）提案",
                "count": c["red"],
                "url": reverse("proposals:list") + "?light=red",
                "level": "danger",
            },
        ]
    return items


# --- 跟踪落实 (follow-up of B-class replies) ------------------------------------------------------------

register(
    "提案",
    "跟踪落实",
    "proposals:followups_mine",
    roles=[Role.UNIT_HANDLER, Role.UNIT_HEAD],
    icon="arrow-repeat",
    order=210,
)
register(
    "提案",
    "落实台账",
    "proposals:followup_ledger",
    roles=[Role.LEADER, Role.STAFF],
    offices=PROPOSAL_OFFICE,
    icon="journal-check",
    order=211,
)


@todo_provider
def followup_todos(user) -> list[dict]:
    """One aggregate query per role: the unit's open follow-ups, the office's reports to confirm."""
    F = FollowUp.Status
    late = Q(status=F.OPEN, planned_date__lt=timezone.localdate())
    items = []
    if is_unit_user(user):
        c = FollowUp.objects.filter(assignment__unit_id=user.handling_unit_id).aggregate(
            **{key: Count("id", filter=q) for key, q in followup.unit_todo_q().items()}
        )
        url = reverse("proposals:followups_mine")
        levels = {"late": "danger", "open": "warning"}
        items += [
            {"label": label, "count": c[key], "url": f"{url}?todo={key}", "level": levels[key]}
            for key, label in followup.UNIT_TODO_LABELS.items()
        ]
    if is_proposal_office(user):
        c = FollowUp.objects.filter(
            case__organisation_id=user.organisation_id, case__kind="proposal"
        ).aggregate(confirm=Count("id", filter=Q(status=F.REPORTED_DONE)), late=Count("id", filter=late))
        url = reverse("proposals:followup_ledger")
        items += [
            {
                "label": "待确认落实的B类提案",
                "count": c["confirm"],
                "url": url + "?status=reported_done",
                "level": "primary",
            },
            {
                "label": "跟踪落实逾期的B类提案",
                "count": c["late"],
                "url": url + "?overdue=1",
                "level": "danger",
            },
        ]
    return items


# --- 申请加入 (requests to join a member's proposal): counted with the member's other cards above. ---------


@queue_columns(order=10)
def proposal_queues(user) -> list[dict]:
    """For the levels above: proposals waiting for 立案审查 and for 交办, by committee (one query)."""
    from zhengxie.core.permissions import org_scope_q

    if not user.has_role(Role.STAFF, Role.LEADER) or user.organisation_id is None:
        return []
    review, assign = {}, {}
    rows = (
        Proposal.objects.filter(org_scope_q(user), status__in=(*wf.states("review"), *wf.states("assign")))
        .values_list("organisation_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, status, n in rows:
        target = review if status in wf.states("review") else assign
        target[org_id] = target.get(org_id, 0) + n
    return [
        {"label": "待审查提案", "counts": review, "level": "danger"},
        {"label": "待交办提案", "counts": assign, "level": "primary"},
    ]
