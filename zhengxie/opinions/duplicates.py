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


def _stamp(updated_at) -> str:
    return f"{updated_at.timestamp():.6f}" if updated_at else "0"


def _items(organisation_id):
    rows = (
        Opinion.objects.filter(organisation_id=organisation_id, status=S.SUBMITTED)
        .order_by("submitted_at", "id")
        .values_list("pk", "updated_at")
    )
    return [(pk, _stamp(u)) for pk, u in rows]


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
    out = []
    for g in found:
        rows = [details[pk] for pk in g.ids if pk in details]
        if len(rows) < 2:
            continue
        main, why = dup.suggest_main([{"id": o.pk, "at": o.submitted_at, "length": o.length} for o in rows])
        refs = sorted(
            (details[pk] for pk in g.references if pk in details), key=lambda o: -g.references[o.pk]
        )
        out.append(
            {
                "main": main,
                "main_reason": why,
                "phrases": dup.key_phrases([o.display_title for o in rows]),
                "score": round(max(g.scores.values()), 3),
                "items": [
                    {
                        "id": o.pk,
                        "title": o.display_title,
                        "author": _author(o),
                        "at": o.submitted_at,
                        "status": o.status,
                        "status_label": o.get_status_display(),
                        "detail": f"{o.year}年 · {o.length}字",
                        "score": round(g.best_link(o.pk), 3),
                        "url": reverse("opinions:detail", args=[o.pk]),
                    }
                    for o in sorted(rows, key=lambda o: (o.pk != main, o.submitted_at, o.pk))
                ],
                "references": [
                    {
                        "id": o.pk,
                        "title": o.display_title,
                        "author": _author(o),
                        "at": o.submitted_at,
                        "status": o.status,
                        "status_label": o.get_status_display(),
                        "detail": f"{o.year}年",
                        "score": round(g.references[o.pk], 3),
                        "url": reverse("opinions:detail", args=[o.pk]),
                    }
                    for o in refs[:5]
                ],
            }
        )
    return {"groups": out, "pending": pending, "waiting": len(items)}
