"""A 视察/调研 report's recommendation as a kind of the handling spine: staff send a numbered recommendation
to a unit, which answers in its one inbox (承办工作台) with lights next to its proposals; the topic's
managing staff (办公室 / 专委会办公室) rate the reply (满意/基本满意 close it, 不满意 sends it back). The
recommendation follows its case through `on_step` / `on_close` (services.follow_case). Settings:
`research.reply_days` (60), `research.yellow_days` (10), `research.acknowledge_days` (3),
`research.rehandle_days` (30) and the spine's other `research.*` numbers."""

import dataclasses

from django.urls import reverse

from zhengxie.consultation.handling_kind import RECOMMENDATION as CONSULTATION_RECOMMENDATION
from zhengxie.handling import kinds

KIND = "research_recommendation"


def _recommendation(case):
    from .models import Recommendation

    cached = getattr(case, "_zx_research_rec", None)
    if cached is None:
        cached = Recommendation.objects.select_related("topic__organisation").get(pk=case.object_id)
        case._zx_research_rec = cached
    return cached


def _item_url(case) -> str:
    r = _recommendation(case)
    return reverse("research:detail", args=[r.topic_id]) + f"#rec-{r.pk}"


def _source_text(r) -> str:
    """The topic's report it came from (an inbox row's 来源; the row's label names the recommendation)."""
    return f"{r.topic.get_kind_display()}《{r.topic.title}》报告"


def _source(case) -> str:
    r = _recommendation(case)
    return f"{_source_text(r)}第{r.number}条建议"


def _sources(cases) -> dict:
    from .models import Recommendation

    items = Recommendation.objects.select_related("topic").only("topic__kind", "topic__title")
    return kinds.sources_from(cases, items, _source_text)


def _materials(case, user) -> list:
    """What the unit acts on (事项材料 on the case page): the recommendation's text under the report's title
    and its number. No query: the recommendation and its topic are those source() reads."""
    return [{"title": _source(case), "text": _recommendation(case).content, "files": []}]


def _may_view(case, user) -> bool:
    from zhengxie.handling.rules import is_unit_user, unit_holds

    from . import rules

    if is_unit_user(user):
        return unit_holds(user, case)
    return rules.can_view(user, _recommendation(case).topic)


def _may_rate(case, user) -> bool:
    from . import rules

    return rules.can_manage(user, _recommendation(case).topic)


def _follow(case) -> None:
    """on_close gets the case, on_step its id: either way the recommendation follows its case."""
    from .services import follow_case

    follow_case(getattr(case, "pk", case))


# The numbers and raters of the consultation recommendations (an office-rated recommendation answered by a
# unit, re-handled after 不满意), under this kind's own name, label, settings prefix and hooks.
RECOMMENDATION = kinds.register(
    dataclasses.replace(
        CONSULTATION_RECOMMENDATION,
        name=KIND,
        label="视察调研建议",
        source_label="视察调研",
        prefix="research",
        proposer_label="视察调研报告",
        rater_label="政协办公室或牵头专委会",
        item_url=_item_url,
        source=_source,
        sources=_sources,
        materials=_materials,
        may_view=_may_view,
        may_rate=_may_rate,
        on_close=_follow,
        on_step=_follow,
        item_unit="research.Recommendation.unit",
    )
)
