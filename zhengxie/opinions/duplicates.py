"""疑似重复: near-duplicate groups among the 社情民意 items waiting for the 信息科 (submitted, of its own
organisation; zhengxie.search.duplicates), for the 信息工作台 and GET /api/v1/opinions/duplicate-groups.
Items of earlier years or already handled are shown as reference only."""

from __future__ import annotations

from django.db.models import Prefetch
from django.db.models.functions import Length
from django.urls import reverse

from zhengxie.search import duplicates as dup

from . import rules as r
from .models import Opinion, OpinionAuthor

KIND = "opinion"
S = Opinion.Status


def _text_of(pks) -> dict[int, tuple[str, str]]:
    rows = Opinion.objects.filter(pk__in=pks).only("pk", "title", "content", "edited_title", "edited_content")
    return {o.pk: (o.display_title, o.display_content) for o in rows}


def _items(organisation_id):
    rows = (
        Opinion.objects.filter(organisation_id=organisation_id, status=S.SUBMITTED)
        .order_by("submitted_at", "id")
        .values_list("pk", "updated_at")
    )
    return [(pk, dup.stamp(u)) for pk, u in rows]


def _queues():
    orgs = Opinion.objects.filter(status=S.SUBMITTED).values_list("organisation_id", flat=True).distinct()
    for org_id in list(orgs):
        yield [org_id], _items(org_id), _text_of


dup.register_queue(KIND, _queues)


def _author(o: Opinion) -> str:
    names = [a.member.name for a in o.authors.all()]
    if o.source_body:
        return o.source_body
    return "、".join(names[:3]) + ("等" if len(names) > 3 else "")


def duplicate_groups(user, *, budget: float | None = None) -> dict:
    """{"groups", "pending", "waiting"} for the 信息科 of the user's organisation; empty for anybody else."""
    if not r.is_info_office(user) or user.organisation_id is None:
        return {"groups": [], "pending": 0, "waiting": 0}
    org = user.organisation_id
    items = _items(org)
    found, pending = dup.groups(KIND, items, organisation_ids=[org], text_of=_text_of, budget=budget)
    ids = {pk for g in found for pk in g.ids} | {pk for g in found for pk in g.references}
    details = {
        o.pk: o
        for o in Opinion.objects.filter(pk__in=ids, organisation_id=org)
        .exclude(status=S.DRAFT)
        .annotate(length=Length("content"))
        .prefetch_related(
            Prefetch(
                "authors",
                queryset=OpinionAuthor.objects.filter(via_merge__isnull=True)
                .select_related("member")
                .order_by("order", "id"),
            )
        )
    }

    def row(o, reference):
        return {
            "title": o.display_title,
            "author": _author(o),
            "at": o.submitted_at,
            "status": o.status,
            "status_label": o.get_status_display(),
            "detail": f"{o.year}年" if reference else f"{o.year}年 · {o.length}字",
            "url": reverse("opinions:detail", args=[o.pk]),
        }

    out = dup.shape(
        found,
        details,
        title=lambda o: o.display_title,
        main_facts=lambda o: {"at": o.submitted_at, "length": o.length},
        row=row,
    )
    return {"groups": out, "pending": pending, "waiting": len(items)}
