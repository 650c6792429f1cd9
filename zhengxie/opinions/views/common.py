"""What the 社情民意 pages share: 404 for a page the role has no business with, service errors on forms,
the years of the filters, the item's attachments."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhengxie.core.errors import ServiceError
from zhengxie.core.models import Attachment, Role

from ..models import Opinion

READERS = (Role.STAFF, Role.LEADER, Role.SYSADMIN)  # who may read the lists of their organisation and below
# service field name -> form field name
FIELD_NAMES = {
    "co_author_ids": "co_authors",
    "author_ids": "author",
    "opinion_ids": "items",
    "organisation_id": "organisation",
    "unit_id": "unit",
}


def need(cond: bool) -> None:
    """A page the user's role has no business with answers 404, like an object out of scope."""
    if not cond:
        raise Http404("未找到")


def fail(request, exc: ServiceError, form=None) -> None:
    """A service's message next to its field (or above the form), or as a page message without a form."""
    if form is not None:
        name = FIELD_NAMES.get(exc.field, exc.field)
        form.add_error(name if name in form.fields else None, exc.message)
    else:
        messages.error(request, exc.message)


def years(back: int = 6) -> list[int]:
    """The years offered by the filters: this year and the few before it (no query)."""
    this = timezone.localdate().year
    return list(range(this, this - back, -1))


def attachments(o: Opinion) -> list[Attachment]:
    return list(
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Opinion), object_id=str(o.pk)
        ).order_by("uploaded_at", "id")
    )


def case_url(case_id) -> str:
    """The follow-up's page on the handling spine ('' while that page does not exist)."""
    try:
        return reverse("handling:case", args=[case_id])
    except NoReverseMatch:
        return ""


def disposition(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"
