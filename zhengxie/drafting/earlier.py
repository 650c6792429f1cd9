"""Earlier items on the same matter as a draft, with what became of them: this year's and past years',
found by zhengxie.search's similar() whatever words they chose, each with its state, the gist of its reply
and how it was rated — only what the viewer may open; of the rest at most the title where the module shows
it anyway (a proposal open to 申请加入, an accepted 社情民意 item). The public page sees only published 微建议.

Each function reads a constant number of statements whatever the number of hits (tests pin it)."""

from __future__ import annotations

import logging
from collections import Counter

from django.urls import reverse

from zhengxie.search.services import similar

logger = logging.getLogger("zhengxie.drafting")
GIST = 90  # characters of a reply shown
LIMIT = 5
RATING_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}


def _gist(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= GIST else text[: GIST - 1] + "…"


def _ratings(values) -> str:
    """ "满意 2、基本满意 1" (the order of the scale), "" when nobody rated."""
    counts = Counter(v for v in values if v in RATING_LABELS)
    parts = []
    for key, label in RATING_LABELS.items():
        if counts[key]:
            parts.append(label if sum(counts.values()) == 1 else f"{label} {counts[key]}")
    return "、".join(parts)


def _row(kind, pk, title, year, state, score, *, url=None, reply="", reply_by="", rating="") -> dict:
    return {
        "kind": kind,
        "id": pk,
        "title": title,
        "year": year,
        "state": state,
        "reply": _gist(reply),
        "reply_by": reply_by,
        "rating": rating,
        "url": url,
        "score": round(float(score), 3),
    }


def _safe(fn, *args, **kwargs) -> list[dict]:
    """A hint only: if the search index fails the form still works (and the error is logged)."""
    try:
        return fn(*args, **kwargs)
    except Exception:
        logger.exception("drafting: earlier items failed")
        return []


def _case_answers(case_ids) -> tuple[dict, dict]:
    """({case: (latest reply text, unit name)}, {case: [ratings of its current replies]}) in two queries."""
    from zhengxie.handling.models import Evaluation, Reply

    replies, ratings = {}, {}
    if not case_ids:
        return replies, ratings
    for case_id, content, unit in (
        Reply.objects.filter(case_id__in=case_ids, is_latest=True)
        .order_by("replied_at", "id")
        .values_list("case_id", "content", "unit__name")
    ):
        replies[case_id] = (content, unit or "")
    for case_id, rating in Evaluation.objects.filter(case_id__in=case_ids, is_current=True).values_list(
        "case_id", "rating"
    ):
        ratings.setdefault(case_id, []).append(rating)
    return replies, ratings


def proposals(user, text: str, *, exclude_id=None, limit: int = LIMIT, is_title: bool = False) -> list[dict]:
    """Proposals of the user's committee, this session's and past ones (proposals.selectors.similar_proposals:
    what the user may open or join), with the reply and ratings of those the user may open."""
    from zhengxie.proposals import selectors as ps
    from zhengxie.proposals.models import Proposal

    hits = ps.similar_proposals(user, text=text, exclude_id=exclude_id, limit=limit, is_title=is_title)
    if not hits:
        return []
    ids = [h["id"] for h in hits]
    visible = dict(ps.visible_proposals(user).filter(pk__in=ids).values_list("pk", "case_id"))
    years = dict(Proposal.objects.filter(pk__in=ids).values_list("pk", "session__year"))
    replies, ratings = _case_answers([c for c in visible.values() if c])
    out = []
    for h in hits:
        case = visible.get(h["id"])
        reply, unit = replies.get(case, ("", "")) if case else ("", "")
        label = f"{h['session']}" + (f" 第{h['number']:04d}号" if h.get("number") else "")
        row = _row(
            "proposal",
            h["id"],
            h["title"],
            years.get(h["id"]),
            f"{label} · {h['status_label']}",
            h["score"],
            url=reverse("proposals:detail", args=[h["id"]]) if h["id"] in visible else None,
            reply=reply,
            reply_by=unit,
            rating=_ratings(ratings.get(case, [])) if case else "",
        )
        out.append(row)
    return out


def opinions(
    user, organisation, text: str, *, exclude_id=None, limit: int = LIMIT, is_title: bool = False
) -> list[dict]:
    """社情民意 items of the writing committee: what the user may open (state, 采用 and 批示 — the item's
    "answer"), and of the rest only accepted items' titles and year (as the 社情民意 form showed before)."""
    from zhengxie.opinions import selectors as os_
    from zhengxie.opinions.models import LEVELS, Adoption, Instruction, Opinion

    if organisation is None:
        return []
    found = similar(
        kind="opinion",
        text=text,
        organisation_ids=[organisation.pk],
        exclude_ids=[exclude_id] if exclude_id else [],
        limit=limit * 3,
        min_score=0.1,
        is_title=is_title,
    )
    ids = [pk for pk, _ in found]
    if not ids:
        return []
    rows = {
        o.pk: o
        for o in Opinion.objects.filter(pk__in=ids)
        .exclude(status=Opinion.Status.DRAFT)
        .only("id", "title", "edited_title", "year", "status", "root_id")
    }
    visible = set(os_.visible(user).filter(pk__in=ids).values_list("pk", flat=True))
    roots = {o.root_id or o.pk for pk, o in rows.items() if pk in visible}
    adopted, instructed = {}, {}
    if roots:
        for root, level in Adoption.objects.filter(root_id__in=roots, revoked_at__isnull=True).values_list(
            "root_id", "level"
        ):
            adopted.setdefault(root, set()).add(level)
        for root, leader, body in Instruction.objects.filter(root_id__in=roots).values_list(
            "root_id", "leader", "content"
        ):
            instructed.setdefault(root, (f"{leader}批示", body))
    labels = dict(LEVELS)
    out = []
    for pk, score in found:
        o = rows.get(pk)
        if o is None:
            continue
        title = o.edited_title or o.title
        if pk in visible:
            root = o.root_id or o.pk
            levels = adopted.get(root, set())
            state = o.get_status_display() + (
                "，已被" + "、".join(sorted(labels.get(v, v) for v in levels)) + "采用" if levels else ""
            )
            by, body = instructed.get(root, ("", ""))
            out.append(
                _row(
                    "opinion",
                    pk,
                    title,
                    o.year,
                    state,
                    score,
                    url=reverse("opinions:detail", args=[pk]),
                    reply=body,
                    reply_by=by,
                )
            )
        elif o.status == Opinion.Status.ACCEPTED:
            out.append(_row("opinion", pk, title, o.year, "已录用", score))
        if len(out) == limit:
            break
    return out


def published_suggestions(
    organisation, text: str, *, limit: int = LIMIT, is_title: bool = False
) -> list[dict]:
    """Published 微建议 of the organisation (the search kind `public_answer` holds those alone): title, year,
    state, the answer the office published and the citizen's rating — never a name or a phone."""
    from zhengxie.suggestions.models import Suggestion
    from zhengxie.suggestions.services import PUBLISHED_KIND

    if organisation is None:
        return []
    found = similar(
        kind=PUBLISHED_KIND,
        text=text,
        organisation_ids=[organisation.pk],
        limit=limit,
        min_score=0.1,
        is_title=is_title,
    )
    if not found:
        return []
    rows = {
        s.pk: s
        for s in Suggestion.objects.filter(pk__in=[pk for pk, _ in found], published=True).only(
            "id", "title", "status", "created_at", "published_answer", "reply_by_label", "rating"
        )
    }
    out = []
    for pk, score in found:
        s = rows.get(pk)
        if s is None:  # unpublished since it was indexed: never shown
            continue
        out.append(
            _row(
                "suggestion",
                pk,
                s.title,
                s.created_at.year,
                s.get_status_display(),
                score,
                reply=s.published_answer,
                reply_by=s.reply_by_label,
                rating=RATING_LABELS.get(s.rating, ""),
            )
        )
    return out


def for_kind(
    user, kind: str, organisation, text: str, *, exclude_id=None, is_title: bool = False
) -> list[dict]:
    """`is_title`: the text is the form's title alone (search.services.similar weighs it as a title)."""
    text = (text or "").strip()
    if len(text) < 4:
        return []
    if kind == "proposal":
        return _safe(proposals, user, text, exclude_id=exclude_id, is_title=is_title)
    if kind == "opinion":
        return _safe(opinions, user, organisation, text, exclude_id=exclude_id, is_title=is_title)
    return _safe(published_suggestions, organisation, text, is_title=is_title)
