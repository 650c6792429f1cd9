"""The public's 微建议 as a kind of the handling spine: the 办公室 routes an accepted suggestion to a unit,
which answers in its one inbox (承办工作台) next to its proposals, within `public.reply_days` (15 working
days); the citizen rates the reply with the tracking code (flow.rate_as, rater key "citizen:<code>")."""

from django.urls import reverse
from django.utils import timezone

from zhengxie.core.models import Office
from zhengxie.handling import kinds

KIND = "public_suggestion"


def _suggestion(case):
    from .models import Suggestion

    cached = getattr(case, "_zx_suggestion", None)
    if cached is None:
        cached = Suggestion.objects.select_related("studio").get(pk=case.object_id)
        case._zx_suggestion = cached
    return cached


def _item_url(case) -> str:
    return reverse("suggestions:detail", args=[case.object_id])


def _source_text(s) -> str:
    via = f"，经{s.studio.name}" if s.studio_id else ""
    return f"群众微建议（{timezone.localtime(s.created_at):%Y-%m-%d}提交{via}）"


def _source(case) -> str:
    return _source_text(_suggestion(case))


def _sources(cases) -> dict:
    from .models import Suggestion

    items = Suggestion.objects.select_related("studio").only("created_at", "studio", "studio__name")
    return kinds.sources_from(cases, items, _source_text)


def _materials(case, user) -> list:
    """What the unit answers (事项材料 on the case page): the citizen's title and text and their photos (one
    query). The photos download through the item's own view, whose rule (rules.can_view: is_routed_unit)
    lets exactly the units holding the case open them. Never the citizen's name or phone: the unit answers
    through the case, and the item's page shows the number only as rules.sees_phone allows."""
    s = _suggestion(case)
    photos = list(s.photos.all())
    more = f"（附照片{len(photos)}张）" if photos else ""
    return [
        {
            "title": f"群众建议《{s.title}》{more}",
            "text": s.content,
            "files": [
                {
                    "name": f"照片{n}",
                    "url": reverse("suggestions:photo", args=[p.pk]),
                    "is_image": p.mime_type.startswith("image/"),
                }
                for n, p in enumerate(photos, 1)
            ],
        }
    ]


def _may_view(case, user) -> bool:
    from . import rules

    return rules.can_view(user, _suggestion(case))


def _raters_users(case) -> list:
    # The citizen has no account: they rate with the tracking code on the public page.
    return []


def _on_close(case) -> None:
    from .services import follow_case

    follow_case(case.pk)


def _on_step(case_id) -> None:
    from .services import follow_case

    follow_case(case_id)


PUBLIC_SUGGESTION = kinds.register(
    kinds.Kind(
        name=KIND,
        label="微建议",
        prefix="public",
        reply_days=15,
        working_days=True,
        yellow_days=3,
        acknowledge_days=2,
        contact_days=0,
        uses_classes=False,
        result_classes=(),
        followup_classes=(),
        raters="citizen",
        on_unsatisfied="rehandle",
        rehandle_days=15,
        office=Office.GENERAL,
        office_label="办公室",
        proposer_label="建议人",
        rater_label="建议人",
        flow=True,
        item_url=_item_url,
        source=_source,
        sources=_sources,
        materials=_materials,
        may_view=_may_view,
        raters_users=_raters_users,
        on_close=_on_close,
        on_step=_on_step,
    )
)
