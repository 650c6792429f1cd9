"""A 整改清单 item as a kind of the handling spine: each rectification item of a supervision group is routed
to the supervised unit, which answers (with proof: 整改佐证, photos and papers) in its one inbox (承办工作台) next to its proposals; the
group confirms (满意 closes it as 已整改) or sends it back (不满意: re-handling). The item follows its case
through `on_step` / `on_close` (services.follow_case)."""

from django.urls import reverse

from zhengxie.core.models import Office
from zhengxie.core.uploads import EVIDENCE
from zhengxie.handling import kinds

KIND = "supervision_rectification"


def _item(case):
    from .models import Item

    cached = getattr(case, "_zx_supervision_item", None)
    if cached is None:
        cached = Item.objects.select_related("supervision__organisation", "problem").get(pk=case.object_id)
        case._zx_supervision_item = cached
    return cached


def _item_url(case) -> str:
    i = _item(case)
    return reverse("supervision:detail", args=[i.supervision_id]) + f"#item-{i.pk}"


def _source_text(i) -> str:
    """The group's list it came from (an inbox row's 来源; the row's label names the item)."""
    return f"民主监督小组《{i.supervision.title}》整改清单"


def _source(case) -> str:
    i = _item(case)
    return f"{_source_text(i)}第{i.number}项"


def _sources(cases) -> dict:
    from .models import Item

    items = Item.objects.select_related("supervision").only("supervision__title")
    return kinds.sources_from(cases, items, _source_text)


def _materials(case, user) -> list:
    """What the unit rectifies: the item's text and the group's evidence, and the problem it was drawn from
    with that problem's evidence (two queries). The files' downloads are checked by rules.can_view_item,
    which lets the unit of this case open exactly these."""
    from .selectors import evidence

    i = _item(case)
    p = i.problem
    files = evidence([i, p] if p is not None else [i])

    def out(title, where, item):
        atts = files.get(item.pk, [])
        more = f"，附监督小组佐证材料{len(atts)}个" if atts else ""
        return {
            "title": f"{title}（{where}{more}）",
            "text": item.content,
            "files": [
                {
                    "name": a.original_name,
                    "url": reverse("core:attachment", args=[a.pk]),
                    "is_image": a.mime_type.startswith("image/"),
                }
                for a in atts
            ],
        }

    rows = [out("整改要求", f"整改清单第{i.number}项", i)]
    if p is not None:
        rows.append(out("对应问题", f"问题清单第{p.number}项", p))
    return rows


def _may_view(case, user) -> bool:
    from zhengxie.handling.rules import is_unit_user, unit_holds

    from . import rules

    if is_unit_user(user):
        return unit_holds(user, case)
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
        source_label="民主监督",
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
        # The unit proves its 整改 with photos of the site and papers, several per reply (photos stored
        # without EXIF/GPS as the group's own evidence is, core.uploads.clean_image).
        reply_file_label="整改佐证",
        reply_file_note="照片、PDF 或 Word .docx，可选多个",
        reply_file_types=EVIDENCE,
        reply_file_many=True,
        flow=True,
        item_url=_item_url,
        units_see_item=False,
        source=_source,
        sources=_sources,
        materials=_materials,
        may_view=_may_view,
        may_rate=_may_rate,
        raters_users=_raters,
        on_close=_follow,
        on_step=_follow,
    )
)
