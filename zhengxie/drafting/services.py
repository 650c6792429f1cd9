"""The drafting check: advice on a draft and the earlier items on the same matter, for the three forms
(proposal, 社情民意, 微建议) and the API. Read-only: no state changes, so no audit entry; it never blocks a
submission (the forms show it and let the writer go on).

    check(user=, kind=, title=, content=, reasons=, suggestions=, attachment_ids=, exclude_id=) -> dict
    public_check(organisation=, title=, content=, ip=) -> dict       # the public 微建议 page, no login

Who: a proposal — a member (or staff: collective proposals); a 社情民意 item — whoever may write one
(opinions.rules.may_write); a 微建议 — any logged-in user (the published answers of their committee).
Someone else: 403. An attachment id not uploaded by the caller: 404.
"""

from __future__ import annotations

import logging
import time

from zhengxie.core import orgsettings, ratelimit
from zhengxie.core.errors import Forbidden, Invalid, NotFound
from zhengxie.core.models import Attachment, Role

from . import advice as rules
from . import attachments as files
from . import earlier

logger = logging.getLogger("zhengxie.drafting")

KIND_LABELS = {"proposal": "提案", "opinion": "社情民意信息", "suggestion": "微建议"}
MAX_CHARS = {
    "proposal": "proposals.max_chars",
    "opinion": "opinions.max_chars",
    "suggestion": "public.max_chars",
}
# The routing model's heads that give a part of the text a category (the kind's own first).
HEADS = {
    "proposal": ("category:proposal", "category:opinion"),
    "opinion": ("category:opinion", "category:proposal"),
    "suggestion": ("category:proposal", "category:opinion"),
}
TEXT_CAP = 20000  # characters read of any one field (the forms' own caps are far lower)
MAX_ATTACHMENTS = 10
orgsettings.register("public.check_per_hour", 120, "公众撰写检查：每个网络地址每小时最多检查次数")


def _text(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{name}须为文本。", field=name)
    return value[:TEXT_CAP]


def organisation_for(user, kind: str):
    """The committee a draft of `kind` by this user belongs to; Forbidden when the user may not write one."""
    from zhengxie.members.selectors import committee_of, member_of

    if not getattr(user, "is_authenticated", False):
        raise Forbidden("请先登录。")
    if kind == "proposal":
        member = member_of(user)
        if member is None and not user.has_role(Role.STAFF):
            raise Forbidden("只有委员（或代集体起草的工作人员）可以起草提案。")
        return member.organisation if member is not None else committee_of(user)
    if kind == "opinion":
        from zhengxie.opinions.forms import writing_organisation
        from zhengxie.opinions.rules import may_write

        if not may_write(user):
            raise Forbidden("只有委员或政协机关工作人员可以撰写社情民意信息。")
        return writing_organisation(user)
    if kind == "suggestion":
        return committee_of(user) or user.organisation
    raise Invalid("kind 须为 proposal、opinion 或 suggestion。", field="kind")


def _model(organisation):
    """The organisation's routing model (for "two matters in one"), None without one or on any failure."""
    if organisation is None:
        return None
    try:
        from zhengxie.routing.services import model_for

        return model_for(organisation.pk)
    except Exception:
        logger.exception("drafting: routing model not available")
        return None


def advise(
    kind: str, organisation, *, title="", content="", reasons="", suggestions="", attachments=()
) -> list:
    """The advice items (dicts) on a draft of `kind` in `organisation`."""
    body = f"{reasons}\n{suggestions}" if kind == "proposal" and (reasons or suggestions) else content
    cap = int(orgsettings.get(organisation, MAX_CHARS[kind])) if organisation is not None else None
    items = rules.check(
        kind,
        title=title,
        content=content,
        reasons=reasons,
        suggestions=suggestions,
        model=_model(organisation),
        heads=HEADS[kind],
        max_chars=cap,
        attachments=files.advise(attachments, body) if attachments else None,
    )
    return [a.as_dict() for a in items]


def _attachments(user, ids) -> list[Attachment]:
    try:
        wanted = list(dict.fromkeys(int(i) for i in (ids or ())))
    except (TypeError, ValueError):
        raise Invalid("附件编号须为整数。", field="attachment_ids")
    if len(wanted) > MAX_ATTACHMENTS:
        raise Invalid(f"一次最多检查{MAX_ATTACHMENTS}个附件。", field="attachment_ids")
    found = {a.pk: a for a in Attachment.objects.filter(pk__in=wanted, uploaded_by=user)} if wanted else {}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound("未找到附件。")
    return [found[i] for i in wanted]


def check(
    *,
    user,
    kind: str,
    title="",
    content="",
    reasons="",
    suggestions="",
    attachment_ids=(),
    attachments=None,
    exclude_id=None,
) -> dict:
    """{advice: [...], similar: [...]} for a draft the user is writing. `attachments` (Attachment rows the
    caller already holds, e.g. a draft's) or `attachment_ids` (the caller's own uploads)."""
    started = time.perf_counter()
    if kind not in KIND_LABELS:
        raise Invalid("kind 须为 proposal、opinion 或 suggestion。", field="kind")
    org = organisation_for(user, kind)
    title, content = _text(title, "title"), _text(content, "content")
    reasons, suggestions = _text(reasons, "reasons"), _text(suggestions, "suggestions")
    if attachments is None:
        attachments = _attachments(user, attachment_ids)
    found = advise(
        kind,
        org,
        title=title,
        content=content,
        reasons=reasons,
        suggestions=suggestions,
        attachments=attachments,
    )
    # The earlier items: by the title once it says something (as the title's own hint does), else by the text.
    is_title = len(title) >= 6
    text = title if is_title else "\n".join(x for x in (title, reasons or content) if x)
    similar = earlier.for_kind(user, kind, org, text, exclude_id=exclude_id, is_title=is_title)
    out = {"advice": found, "similar": similar}
    logger.debug("drafting check %s in %.1f ms", kind, 1000 * (time.perf_counter() - started))
    return out


def public_throttle(ip, organisation) -> None:
    """A check per pause in typing: `public.check_per_hour` per address (the submissions' own limit,
    `public.rate_per_hour`, stays on submitting)."""
    limit = int(orgsettings.get(organisation, "public.check_per_hour"))
    if ratelimit.hit(ip, "drafting.check") > limit:
        raise ratelimit.RateLimited(
            f"检查过于频繁：每小时最多检查{limit}次，请稍后再试。", code="rate_limited"
        )


def public_check(*, organisation, title="", content="", ip=None) -> dict:
    """The public 微建议 page's check: advice worded for a citizen and the organisation's published answers
    alone (title, year, state, the published answer, the rating; never a name or a phone)."""
    from zhengxie.suggestions.services import public_organisation

    org = public_organisation(organisation)
    public_throttle(ip, org)
    title, content = _text(title, "title"), _text(content, "content")
    if len(title) > 100:  # the submission's own limits (check_submission) apply to what is checked
        raise Invalid("标题不能超过100字。", field="title")
    limit = int(orgsettings.get(org, "public.max_chars"))
    if len(content) > limit:
        raise Invalid(f"建议内容不能超过{limit}字（现为{len(content)}字）。", field="content")
    found = advise("suggestion", org, title=title, content=content)
    text = "\n".join(x for x in (title, content) if x)
    is_title = bool(title) and not content  # the title box alone: weighed as a title
    similar = earlier.for_kind(None, "suggestion", org, text, is_title=is_title) if len(text) >= 4 else []
    return {"advice": found, "similar": similar}


def warnings(advice: list[dict]) -> list[dict]:
    return [a for a in advice if a["level"] == rules.WARNING]
