"""A 整改清单 item as a kind of the handling spine: each rectification item of a supervision group is routed
to the supervised unit, which answers (with proof) in its one inbox (承办工作台) next to its proposals; the
group confirms (满意 closes it as 已整改) or sends it back (不满意: re-handling). The item follows its case
through `on_step` / `on_close` (services.follow_case)."""

from django.urls import reverse

from zhengxie.core.models import Office
from zhengxie.handling import kinds

KIND = "supervision_rectification"


def _item(case):
    from .models import Item

    cached = getattr(case, "_zx_supervision_item", None)
    if cached is None:
        cached = Item.objects.select_related("supervision__organisation").get(pk=case.object_id)
        case._zx_supervision_item = cached
    return cached


def _item_url(case) -> str:
    i = _item(case)
    return reverse("supervision:detail", args=[i.supervision_id]) + f"#item-{i.pk}"


def _source(case) -> str:
    i = _item(case)
    return f"民主监督小组《{i.supervision.title}》整改清单第{i.number}项"


def _may_view(case, user) -> bool:
    from zhengxie.handling.rules import is_unit_user

    from . import rules

    if is_unit_user(user):
        return case.assignments.filter(unit_id=user.handling_unit_id).exists()
    return rules.can_view(user, _item(case).supervision)


def _may_rate(case, user) -> bool:
    from . import rules

    return rules.is_group(user, _item(case).supervision)


def _raters(case):
    from zhengxie.core.models import User

    s = _item(case).supervision
    ids = {s.leader.user_id, *s.members.values_list("user_id", flat=True)}
    if s.staff_contact_id:
        ids.add(s.staff_contact_id)
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _follow(case_or_id) -> None:
    from .services import follow_case

    follow_case(getattr(case_or_id, "pk", case_or_id))


RECTIFICATION = kinds.register(
    kinds.Kind(
        name=KIND,
        label="监督整改",
        prefix="supervision",
        reply_days=30,
        yellow_days=5,
        acknowledge_days=3,
        contact_days=0,
        uses_classes=False,
        result_classes=(),
        followup_classes=(),
        raters="group",
        on_unsatisfied="rehandle",
        rehandle_days=15,
        item_model="supervision.Item",
        office=Office.GENERAL,
        office_label="政协办公室",
        proposer_label="民主监督小组",
        rater_label="民主监督小组",
        flow=True,
        item_url=_item_url,
        units_see_item=False,
        source=_source,
        may_view=_may_view,
        may_rate=_may_rate,
        raters_users=_raters,
        on_close=_follow,
        on_step=_follow,
    )
)
