"""The 批示落实 follow-up as a kind of the handling spine: a leader's 批示 on a 社情民意 item routes it to a
unit with a deadline; the unit answers in its inbox next to its proposals; the item's authors rate it."""

from django.urls import reverse

from zhengxie.handling import kinds


def _instruction(case):
    from .models import Instruction

    cached = getattr(case, "_zx_instruction", None)
    if cached is None:
        cached = Instruction.objects.select_related("opinion").get(pk=case.object_id)
        case._zx_instruction = cached
    return cached


def status_label(case) -> str:
    """The follow-up's state in the spine's words (已交办, 办理中, 已答复 …), for the item's page and the API."""
    from zhengxie.handling.services.flow import FLOW_STATUSES

    return FLOW_STATUSES.get(case.status) or case.get_stage_display()


def _url(case) -> str:
    return reverse("handling:case", args=[case.pk])


def _item_url(case) -> str:
    return reverse("opinions:detail", args=[_instruction(case).opinion_id])


def _raters_users(case) -> list:
    """Who is asked to rate the unit's reply: the item's member authors; with none, the 信息科 (as
    rules.may_rate_followup)."""
    from zhengxie.core.models import User
    from zhengxie.handling.services.flow import office_users

    opinion = _instruction(case).opinion
    authors = list(
        User.objects.filter(member__opinion_authorships__opinion=opinion, is_active=True).distinct()
    )
    return authors if opinion.authors.exists() else office_users(case)


def _source_text(i) -> str:
    return f"{i.leader}批示（社情民意信息《{i.opinion.display_title}》）"


def _source(case) -> str:
    return _source_text(_instruction(case))


def _sources(cases) -> dict:
    from .models import Instruction

    items = Instruction.objects.select_related("opinion").only(
        "leader", "opinion__title", "opinion__edited_title"
    )
    return kinds.sources_from(cases, items, _source_text)


def _materials(case, user) -> list:
    """What the unit implements (事项材料 on the case page, which is all it may open): the leader's 批示 and
    the 社情民意 information as issued (the office's edited title and text). Not the authors' names or
    numbers: the unit answers through the case. No query: the 批示 and its item are those source() reads."""
    i = _instruction(case)
    o = i.opinion
    return [
        {"title": f"领导批示（{i.leader}，{i.instructed_on:%Y-%m-%d}）", "text": i.content, "files": []},
        {"title": f"社情民意信息《{o.display_title}》", "text": o.display_content, "files": []},
    ]


def _may_view(case, user) -> bool:
    from zhengxie.handling.rules import unit_holds

    from . import rules

    if unit_holds(user, case):
        return True
    return rules.can_view(user, _instruction(case).opinion)


def _may_rate(case, user) -> bool:
    from . import rules

    return rules.may_rate_followup(user, _instruction(case))


INSTRUCTION = kinds.register(
    kinds.Kind(
        name="opinion_instruction",
        label="批示落实",
        source_label="社情民意批示",
        prefix="opinions.instruction",
        reply_days=30,
        yellow_days=5,
        contact_days=0,
        uses_classes=False,
        result_classes=(),
        followup_classes=(),
        raters="signers",
        on_unsatisfied="rehandle",
        # Several authors rate as joint proposers do: 不满意 from any sends it back, all rate before it closes.
        rating_rule="all",
        office="information",
        office_label="信息科",
        proposer_label="信息报送人",
        rater_label="信息报送人",
        # The spine's generic workflow runs it (handling.services.flow); its page is the case page.
        flow=True,
        url=_url,
        item_url=_item_url,
        units_see_item=False,  # the 社情民意 item is the committee's: the unit answers on the case page
        source=_source,
        sources=_sources,
        materials=_materials,
        raters_users=_raters_users,
        may_view=_may_view,
        may_rate=_may_rate,
        item_unit="opinions.Instruction.unit",
    )
)
