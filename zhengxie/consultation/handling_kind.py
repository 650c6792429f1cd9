"""A 协商成果 recommendation as a kind of the handling spine: staff assign a numbered recommendation to a
unit, which answers in its one inbox (承办工作台) next to its proposals; the consultation's staff rate the
reply (满意/基本满意 close it, 不满意 sends it back)."""

from django.urls import reverse

from zhengxie.core.models import Office
from zhengxie.handling import kinds

KIND = "consultation_recommendation"


def _recommendation(case):
    from .models import Recommendation

    cached = getattr(case, "_zx_recommendation", None)
    if cached is None:
        cached = Recommendation.objects.select_related("outcome__consultation__organisation").get(
            pk=case.object_id
        )
        case._zx_recommendation = cached
    return cached


def _url(case) -> str:
    return reverse("handling:case", args=[case.pk])


def _item_url(case) -> str:
    r = _recommendation(case)
    return reverse("consultation:outcome", args=[r.outcome_id]) + f"#rec-{r.pk}"


def _source_text(r) -> str:
    """The consultation it came from (an inbox row's 来源; the row's label names the recommendation)."""
    c = r.outcome.consultation
    return f"{c.get_form_display()}《{c.title}》协商成果"


def _source(case) -> str:
    r = _recommendation(case)
    return f"{_source_text(r)}第{r.number}条建议"


def _sources(cases) -> dict:
    from .models import Recommendation

    items = Recommendation.objects.select_related("outcome__consultation").only(
        "outcome__consultation__form", "outcome__consultation__title"
    )
    return kinds.sources_from(cases, items, _source_text)


def _materials(case, user) -> list:
    """What the unit acts on (事项材料 on the case page): the recommendation's text under the title of the
    协商成果 it belongs to. No query: the recommendation and its outcome are those source() reads."""
    r = _recommendation(case)
    return [{"title": f"《{r.outcome.title}》第{r.number}条建议", "text": r.content, "files": []}]


def _may_view(case, user) -> bool:
    from zhengxie.handling.rules import is_unit_user, unit_holds

    from . import rules

    if is_unit_user(user):
        # A unit reads the consultation it takes part in, but only its own cases.
        return unit_holds(user, case)
    return rules.can_view(user, _recommendation(case).outcome.consultation)


def _may_rate(case, user) -> bool:
    from . import rules

    return rules.can_manage(user, _recommendation(case).outcome.consultation)


def _on_close(case) -> None:
    from .services.outcomes import follow_case

    follow_case(case.pk)


def _on_step(case_id) -> None:
    from .services.outcomes import follow_case

    follow_case(case_id)


RECOMMENDATION = kinds.register(
    kinds.Kind(
        name=KIND,
        label="协商建议",
        source_label="协商成果",
        prefix="consultation",
        reply_days=60,
        yellow_days=10,
        acknowledge_days=3,
        contact_days=0,
        uses_classes=False,
        result_classes=(),
        followup_classes=(),
        raters="office",
        on_unsatisfied="rehandle",
        rehandle_days=30,
        office=Office.GENERAL,
        office_label="政协办公室",
        proposer_label="协商成果",
        rater_label="政协办公室",
        flow=True,
        url=_url,
        item_url=_item_url,
        source=_source,
        sources=_sources,
        materials=_materials,
        may_view=_may_view,
        may_rate=_may_rate,
        on_close=_on_close,
        on_step=_on_step,
        item_unit="consultation.Recommendation.unit",
    )
)
