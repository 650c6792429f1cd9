"""Reads of one case for its page (/handling/cases/<id>/) and the API (GET /api/v1/handling/cases/{id}):
the case with its units, replies (and letters), ratings, extensions and timeline, read in a fixed number of
queries however many rows it has, and what the user may do now (services.flow.allowed_actions).

Every kind's case may be read here by whoever may see it (rules.can_view_case); the actions are those of
kinds without a workflow of their own (Kind.flow), whose page this is."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.errors import NotFound
from zhengxie.core.models import Attachment

from . import kinds
from . import rules as r
from .models import Assignment, Case, Evaluation, Event, Extension, Reply, ReplyDraft
from .services import flow, signoff


def get_case(user, pk) -> Case:
    """The case if the user may see it, else NotFound (404)."""
    c = None
    if pk not in (None, "") and str(pk).isdigit():
        c = Case.objects.select_related("organisation").filter(pk=pk).first()
    if c is None or c.kind not in kinds.KINDS or not r.can_view_case(user, c):
        raise NotFound("未找到")
    return c


def with_rows(case: Case) -> Case:
    """The case's rows, prefetched onto it (one query each: assignments, replies, ratings, extensions,
    events, open reply drafts; and the files of replies and drafts where the kind takes several)."""
    from django.db.models import prefetch_related_objects

    many = kinds.get(case.kind).reply_file_many
    prefetch_related_objects(
        [case],
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("role", "id")),
        Prefetch(
            "replies",
            queryset=Reply.objects.select_related("assignment__unit", "letter", "signed_by").order_by(
                "replied_at", "id"
            ),
        ),
        Prefetch(
            "drafts",
            queryset=ReplyDraft.objects.filter(status__in=ReplyDraft.OPEN).select_related(
                "assignment__unit", "drafted_by", "letter"
            ),
        ),
        Prefetch("evaluations", queryset=Evaluation.objects.order_by("created_at", "id")),
        Prefetch("extensions", queryset=Extension.objects.order_by("created_at", "id")),
        Prefetch("events", queryset=Event.objects.order_by("at", "id")),
        *(
            [
                Prefetch("replies__files", queryset=Attachment.objects.order_by("id")),
                Prefetch("drafts__files", queryset=Attachment.objects.order_by("id")),
            ]
            if many
            else []
        ),
    )
    return case


def my_draft(case: Case, user) -> ReplyDraft | None:
    """The open reply draft of the user's unit on this case (from with_rows), if the user is of that unit."""
    if not r.is_unit_user(user):
        return None
    return next((d for d in case.drafts.all() if d.assignment.unit_id == user.handling_unit_id), None)


def _letter(case: Case, rp: Reply) -> dict | None:
    att = rp.letter
    if att is None:
        return None
    return {
        "id": att.pk,
        "name": att.original_name,
        "size": att.size,
        # The page's download (session) and the API's (token), both checked against the case.
        "url": reverse("core:attachment", args=[att.pk]),
        "api_url": f"/api/v1/handling/cases/{case.pk}/replies/{rp.pk}/letter",
    }


def _file(case: Case, rp: Reply, att) -> dict:
    return {
        "id": att.pk,
        "name": att.original_name,
        "size": att.size,
        "is_image": att.mime_type.startswith("image/"),
        "url": reverse("core:attachment", args=[att.pk]),
        "api_url": f"/api/v1/handling/cases/{case.pk}/replies/{rp.pk}/files/{att.pk}",
    }


def view(case: Case, user) -> dict:
    """Everything the case page and the API show; `case` comes from with_rows (no further query but the
    kind's own hooks: source, materials, item_url, may_rate)."""
    kind = kinds.get(case.kind)
    assignments = list(case.assignments.all())
    ratings = [
        {
            "id": e.pk,
            "reply_id": e.reply_id,
            "rater": e.rater_label,
            "rating": e.rating,
            "rating_label": e.get_rating_display(),
            "comment": e.comment,
            "at": e.created_at,
        }
        for e in case.evaluations.all()
    ]
    by_reply: dict[int, list] = {}
    for x in ratings:
        by_reply.setdefault(x["reply_id"], []).append(x)
    replies = [
        {
            "id": rp.pk,
            "unit": {"id": rp.assignment.unit_id, "name": rp.assignment.unit.name},
            "round": rp.round,
            "result_class": rp.result_class,
            "content": rp.content,
            "replied_at": rp.replied_at,
            "on_time": rp.on_time,
            "letter": _letter(case, rp),
            # The kind's several files (Kind.reply_file_many: 整改佐证 photos and papers); else empty.
            "files": [_file(case, rp, att) for att in rp.files.all()] if kind.reply_file_many else [],
            "ratings": by_reply.get(rp.pk, []),
            # 签发: who signed the letter off and when (None unless the unit head signed it).
            "signed_by": (rp.signed_by.name or rp.signed_by.username) if rp.signed_by_id else None,
            "signed_at": rp.signed_at,
        }
        for rp in case.replies.all()
    ]
    page = kind.url(case)
    item_url = kind.item_url(case) if kind.units_see_item or not r.is_unit_user(user) else ""
    status_label = flow.FLOW_STATUSES.get(case.status, case.status) if kind.flow else case.status
    return {
        "id": case.pk,
        "kind": case.kind,
        "kind_label": kind.label,
        "object_id": case.object_id,
        "title": case.title,
        "label": case.label,
        "category": case.category,
        "source": kind.source(case) or "",
        # What the unit needs of the item to act (the kind's: a 整改 item's requirement and evidence).
        "materials": kind.materials(case, user),
        "url": page,
        # The item's own page, when it is not this one.
        "item_url": item_url if item_url and item_url != page else "",
        "status": case.status,
        "status_label": status_label,
        "stage": case.stage,
        "stage_label": case.get_stage_display(),
        "light": case.light or None,
        "light_label": case.get_light_display() if case.light else "",
        "deadline": case.deadline,
        "overdue": bool(case.deadline and case.is_handling and case.deadline < timezone.localdate()),
        "round": case.round,
        "assigned_at": case.assigned_at,
        "closed_at": case.closed_at,
        "units": [
            {
                "id": a.unit_id,
                "name": a.unit.name,
                "role": a.role,
                "role_label": a.get_role_display(),
                "deadline": a.deadline,
                "acknowledged_at": a.acknowledged_at,
                "is_active": a.is_active,
                # 申请调整: "" (none), pending, granted, refused; the unit's reason and the office's note.
                "change_status": a.change_status,
                "change_status_label": a.get_change_status_display() if a.change_status else "",
                "change_reason": a.change_reason,
                "change_decision_note": a.change_decision_note,
            }
            for a in assignments
        ],
        "replies": replies,
        "ratings": ratings,
        "extensions": [
            {
                "old_deadline": x.old_deadline,
                "new_deadline": x.new_deadline,
                "reason": x.reason,
                "at": x.created_at,
            }
            for x in case.extensions.all()
        ],
        "timeline": [
            {"at": e.at, "actor": e.actor_label, "action": e.action, "label": e.label, "detail": e.detail}
            for e in case.events.all()
        ],
        "actions": flow.allowed_actions(user, case, assignments),
        # The user's unit's reply draft waiting for its head's 签发, or returned to the handler (None for
        # everybody else, and when the kind's `<prefix>.head_signoff` is off).
        "signoff": signoff.view(my_draft(case, user), many=kind.reply_file_many),
        "rater_label": kind.rater_label,
        # What the unit attaches to a reply (答复函, 整改佐证) and whether several files go with one.
        "reply_file_label": kind.reply_file_label,
        "reply_file_many": kind.reply_file_many,
    }
