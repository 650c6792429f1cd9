"""The texts a hot-topic run reads, and which of them a viewer may see.

Four kinds, each with what counts (a draft is nobody's business yet; a rejected 微建议 is spam or out of
scope):

- proposal: 提案 submitted and later (not 草稿, not 待附议); date = submitted; support = confirmed 附议人;
- opinion: 社情民意 submitted and later (not 暂存, not 退回修改); date = submitted;
- public_suggestion: 微建议 accepted and later (已受理, 办理中, 已答复, 已办结); date = received;
- hall_comment: visible comments that open a thread in the online hall (网络议政; replies answer them, they
  count as the thread's support); date = written. A comment weighs COMMENT_WEIGHT of an item in the heat,
  and one hall's comments of the period together HALL_WEIGHT items at most: a hall gathers hundreds of
  short comments on the one matter it already consults about.

The texts of an organisation are its own and those of its 乡镇联络组 (not a lower committee's: a city's
hot topics are the city's; it may pick a county below it to read that county's).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from zhengxie.core.models import Organisation
from zhengxie.core.permissions import org_scope_q

KINDS = {
    "proposal": "提案",
    "opinion": "社情民意",
    "public_suggestion": "微建议",
    "hall_comment": "网络议政留言",
}
SHORT = {"proposal": "提案", "opinion": "社情民意", "public_suggestion": "微建议", "hall_comment": "议政留言"}
BODY_CHARS = 600
COMMENT_WEIGHT = 0.3  # a comment weighs at most this much of an item in the heat
HALL_WEIGHT = 10.0  # and one hall's comments of the period together at most this many items


@dataclass
class Text:
    kind: str
    id: int
    title: str
    body: str
    date: object  # aware datetime
    support: int = 0
    weight: float = 1.0  # share of an item in the heat


def own_q(organisation, field: str = "organisation") -> Q:
    """The organisation's own rows and those of its 乡镇联络组 (its children of kind liaison)."""
    return Q(**{f"{field}_id": organisation.pk}) | Q(
        **{
            f"{field}__path__startswith": organisation.path,
            f"{field}__depth": organisation.depth + 1,
            f"{field}__kind": Organisation.Kind.LIAISON,
        }
    )


def gather(organisation, start, end, kinds=None) -> list[Text]:
    """The texts of [start, end) (aware datetimes): one query per kind (two for proposals' 附议)."""
    from zhengxie.consultation.models import Comment
    from zhengxie.opinions.models import Opinion
    from zhengxie.proposals.models import Proposal, Signer
    from zhengxie.suggestions.models import Suggestion

    kinds = kinds or list(KINDS)
    out: list[Text] = []
    if "proposal" in kinds:
        P = Proposal.Status
        rows = list(
            Proposal.objects.filter(own_q(organisation), submitted_at__gte=start, submitted_at__lt=end)
            .exclude(status__in=[P.DRAFT, P.AWAITING_COSIGNERS])
            .order_by()
            .values_list("pk", "title", "reasons", "suggestions", "submitted_at")
        )
        agreed = (
            dict(
                Signer.objects.filter(
                    proposal_id__in=[r[0] for r in rows],
                    role=Signer.Role.COSIGNER,
                    status=Signer.Status.AGREED,
                )
                .order_by()
                .values("proposal_id")
                .annotate(n=Count("id"))
                .values_list("proposal_id", "n")
            )
            if rows
            else {}
        )
        out += [
            Text("proposal", pk, t, f"{r or ''}\n{s or ''}"[:BODY_CHARS], d, agreed.get(pk, 0))
            for pk, t, r, s, d in rows
        ]
    if "opinion" in kinds:
        OS = Opinion.Status
        rows = (
            Opinion.objects.filter(own_q(organisation), submitted_at__gte=start, submitted_at__lt=end)
            .exclude(status__in=[OS.DRAFT, OS.RETURNED])
            .order_by()
            .values_list("pk", "title", "edited_title", "content", "edited_content", "submitted_at")
        )
        out += [Text("opinion", pk, et or t, (ec or c)[:BODY_CHARS], d) for pk, t, et, c, ec, d in rows]
    if "public_suggestion" in kinds:
        S = Suggestion.Status
        rows = (
            Suggestion.objects.filter(
                own_q(organisation),
                created_at__gte=start,
                created_at__lt=end,
                status__in=[S.ACCEPTED, S.ROUTED, S.REPLIED, S.CLOSED],
            )
            .order_by()
            .values_list("pk", "title", "content", "created_at")
        )
        out += [Text("public_suggestion", pk, t, c[:BODY_CHARS], d) for pk, t, c, d in rows]
    if "hall_comment" in kinds:
        rows = (
            Comment.objects.filter(
                own_q(organisation, "consultation__organisation"),
                created_at__gte=start,
                created_at__lt=end,
                status=Comment.Status.VISIBLE,
                parent__isnull=True,
            )
            .order_by()
            .values_list("pk", "content", "created_at", "reply_count", "consultation_id")
        )
        per_hall: dict[int, int] = {}
        for r in rows:
            per_hall[r[4]] = per_hall.get(r[4], 0) + 1
        out += [
            Text(
                "hall_comment",
                pk,
                "",
                c[:BODY_CHARS],
                d,
                n or 0,
                min(COMMENT_WEIGHT, HALL_WEIGHT / per_hall[h]),
            )
            for pk, c, d, n, h in rows
        ]
    return out


def comment_title(content: str) -> str:
    content = " ".join((content or "").split())
    return content if len(content) <= 40 else content[:39] + "…"


# --- what a viewer may see ---------------------------------------------------------------------------------


def visible_items(user, by_kind: dict[str, list[int]]) -> dict[tuple[str, int], dict]:
    """Of these items, those the user may see, with their current title and page: {(kind, id): {title,
    url, label}}. One query per kind asked for, through each module's own visibility rule."""
    out: dict[tuple[str, int], dict] = {}
    ids = by_kind.get("proposal")
    if ids:
        from zhengxie.proposals.selectors import visible_proposals

        for pk, title, number in (
            visible_proposals(user).filter(pk__in=ids).values_list("pk", "title", "number")
        ):
            out["proposal", pk] = {
                "title": title,
                "url": reverse("proposals:detail", args=[pk]),
                "label": f"第{number:04d}号" if number else "",
            }
    ids = by_kind.get("opinion")
    if ids:
        from zhengxie.opinions.selectors import visible

        for pk, title, edited in visible(user).filter(pk__in=ids).values_list("pk", "title", "edited_title"):
            out["opinion", pk] = {
                "title": edited or title,
                "url": reverse("opinions:detail", args=[pk]),
                "label": "",
            }
    ids = by_kind.get("public_suggestion")
    if ids:
        from zhengxie.suggestions.selectors import staff_list

        for pk, title in staff_list(user).filter(pk__in=ids).values_list("pk", "title"):
            out["public_suggestion", pk] = {
                "title": title,
                "url": reverse("suggestions:detail", args=[pk]),
                "label": "",
            }
    ids = by_kind.get("hall_comment")
    if ids:
        from zhengxie.consultation import rules as consultation_rules
        from zhengxie.consultation.models import Comment

        if user.has_role(*consultation_rules.READERS) or consultation_rules.is_consultation_staff(user):
            rows = Comment.objects.filter(
                org_scope_q(user, "consultation__organisation"), pk__in=ids, status=Comment.Status.VISIBLE
            ).values_list("pk", "content", "consultation_id", "consultation__title")
            for pk, content, cid, ctitle in rows:
                out["hall_comment", pk] = {
                    "title": comment_title(content),
                    "url": reverse("consultation:hall", args=[cid]),
                    "label": ctitle,
                }
    return out
