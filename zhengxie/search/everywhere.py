"""One search box across the platform (issue 15): proposals, meetings, members, 社情民意 and meeting
materials, each through its own app's visibility rule, so a user finds only what their pages would show.

`search(user, q)` returns sections of at most LIMIT hits each (and whether there are more); every section
is one query (two for proposals: the full-text match and its prefetch), whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, IntegerField, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.http import urlencode

from zhengxie.core.models import Attachment, Role

LIMIT = 8
MAX_QUERY = 50


@dataclass
class Section:
    key: str
    label: str
    icon: str
    hits: list[dict] = field(default_factory=list)
    more: bool = False
    more_url: str = ""


def _qs(q: str) -> str:
    return "?" + urlencode({"q": q})


def _cut(rows: list, section: Section) -> Section:
    section.more = len(rows) > LIMIT
    return section


def _proposals(user, q: str) -> Section:
    from zhengxie.proposals import selectors

    s = Section("proposals", "提案", "file-earmark-text")
    qs = selectors.proposal_list(user, q=q).select_related("author")
    rows = list(qs[: LIMIT + 1])
    for p in rows[:LIMIT]:
        s.hits.append(
            {
                "title": p.title,
                "url": reverse("proposals:detail", args=[p.pk]),
                "meta": " · ".join(x for x in (p.number_label, p.get_status_display(), p.author.name) if x),
            }
        )
    if user.has_role(Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.UNIT_HANDLER, Role.UNIT_HEAD):
        s.more_url = reverse("proposals:list") + _qs(q)
    elif user.has_role(Role.MEMBER):
        s.more_url = reverse("proposals:accepted") + _qs(q)
    return _cut(rows, s)


def _meetings(user, q: str) -> Section:
    from zhengxie.activities.models import Meeting
    from zhengxie.activities.selectors import visible_q

    s = Section("meetings", "会议活动", "calendar-event")
    rows = list(
        Meeting.objects.filter(visible_q(user))
        .filter(Q(title__icontains=q) | Q(place__icontains=q))
        .order_by("-starts_at", "-id")[: LIMIT + 1]
    )
    for m in rows[:LIMIT]:
        s.hits.append(
            {
                "title": m.title,
                "url": reverse("activities:detail", args=[m.pk]),
                "meta": " · ".join(x for x in (m.starts_at.strftime("%Y-%m-%d %H:%M"), m.place) if x),
            }
        )
    s.more_url = reverse("activities:list") + _qs(q)
    return _cut(rows, s)


def _members(user, q: str) -> Section:
    from zhengxie.members import selectors

    s = Section("members", "委员", "people")
    if not selectors.can_use_directory(user):
        return s
    rows = list(selectors.member_directory(user, q=q)[: LIMIT + 1])
    roster = selectors.can_view_roster(user)
    for m in rows[:LIMIT]:
        url = reverse("members:member", args=[m.pk]) if roster else reverse("member_directory") + _qs(m.name)
        s.hits.append(
            {
                "title": m.name,
                "url": url,
                "meta": " · ".join(
                    x for x in (m.sector.name if m.sector else "", m.party.name if m.party else "") if x
                ),
            }
        )
    s.more_url = (reverse("members:roster") if roster else reverse("member_directory")) + _qs(q)
    return _cut(rows, s)


def _opinions(user, q: str) -> Section:
    from zhengxie.opinions import selectors

    s = Section("opinions", "社情民意", "chat-square-text")
    rows = list(selectors.visible(user).filter(title__icontains=q).order_by("-id")[: LIMIT + 1])
    for o in rows[:LIMIT]:
        s.hits.append(
            {"title": o.title, "url": reverse("opinions:detail", args=[o.pk]), "meta": o.get_status_display()}
        )
    return _cut(rows, s)


def _documents(user, q: str) -> Section:
    """Meeting materials (会议材料) of the meetings the user may see, by file name."""
    from zhengxie.activities.models import Meeting
    from zhengxie.activities.selectors import visible_q

    s = Section("documents", "会议材料", "paperclip")
    meetings = Meeting.objects.filter(visible_q(user), pk=OuterRef("meeting_pk"))
    rows = list(
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Meeting),
            purpose="material",
            original_name__icontains=q,
        )
        .annotate(meeting_pk=Cast("object_id", IntegerField()))
        .filter(Exists(meetings))
        .order_by("-id")[: LIMIT + 1]
    )
    for a in rows[:LIMIT]:
        s.hits.append(
            {
                "title": a.original_name,
                "url": reverse("core:attachment", args=[a.pk]),
                "meta": "会议材料",
                "meeting_url": reverse("activities:detail", args=[a.meeting_pk]),
            }
        )
    return _cut(rows, s)


SECTIONS = (_proposals, _meetings, _members, _opinions, _documents)


def search(user, q: str) -> list[Section]:
    q = (q or "").strip()[:MAX_QUERY]
    if not q or not getattr(user, "is_authenticated", False):
        return []
    return [f(user, q) for f in SECTIONS]
