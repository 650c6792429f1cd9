"""Every state change of a 微建议: the citizen's submission and rating (no account: the rate limit and the
tracking code), the 办公室's moderation, routing and publication, and a studio member's reply. Each checks
who may (rules.py), runs in one transaction, writes the timeline and the audit log and tells whoever must
act next. A suggestion routed to a unit is handled on the spine (handling.services.flow); `follow_case`
brings the suggestion's status and answer in line with its case after each step there."""

from __future__ import annotations

import re
import uuid

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengxie.core import audit, orgsettings, ratelimit
from zhengxie.core.calendar import Calendar
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Organisation, Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.textinput import plain_text
from zhengxie.core.uploads import IMAGES, KINDS, validate
from zhengxie.handling.lights import REPLYING_ROLES
from zhengxie.handling.models import Assignment, Case, Reply
from zhengxie.handling.services import flow
from zhengxie.handling.services.ratings import Rater, check_rating
from zhengxie.handling.services.units import check_deadline, resolve_unit
from zhengxie.search.services import index_document, remove_document

from . import rules
from .handling_kind import KIND
from .models import CODE_ALPHABET, Event, Photo, Suggestion

S = Suggestion.Status
SETTINGS = (
    ("public.max_chars", 2000, "微建议：正文最多字数"),
    # A unit's answer has the spine's public.evaluation_days; this one serves the studios' answers too.
    ("public.max_photos", 3, "微建议：最多照片张数"),
    ("public.photo_max_mb", 5, "微建议：每张照片最大(MB)"),
)
for _key, _default, _label in SETTINGS:
    orgsettings.register(_key, _default, _label)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CITIZEN = "群众"


# --- checks the forms call too --------------------------------------------------------------------------


def check_title(title) -> str:
    title = plain_text(title, "标题")
    if not title:
        raise Invalid("请填写标题。", field="title")
    if len(title) > 100:
        raise Invalid("标题不能超过100字。", field="title")
    return title


def check_content(organisation, content) -> str:
    content = plain_text(content, "内容")
    if not content:
        raise Invalid("请填写建议内容。", field="content")
    limit = int(orgsettings.get(organisation, "public.max_chars"))
    if len(content) > limit:
        raise Invalid(f"建议内容不能超过{limit}字（现为{len(content)}字）。", field="content")
    return content


def check_name(name) -> str:
    name = plain_text(name, "姓名")
    if len(name) > 40:
        raise Invalid("姓名不能超过40字。", field="name")
    return name


def check_phone(phone) -> str:
    phone = re.sub(r"[\s-]", "", plain_text(phone, "手机号码"))
    if phone and not MOBILE.match(phone):
        raise Invalid("请填写11位手机号码（如 13800000000），或留空。", field="phone")
    return phone


def check_consent(consent) -> None:
    if consent is not True:
        raise Invalid("请阅读并勾选同意个人信息处理说明后再提交。", field="consent")


def check_submission(organisation, *, title, content, name="", phone="", consent=False) -> dict:
    """The citizen's input, cleaned; a Chinese message next to the field otherwise (the API says the first
    problem; the page's form runs each field's check on its own and shows them all at once)."""
    data = {
        "title": check_title(title),
        "content": check_content(organisation, content),
        "name": check_name(name),
        "phone": check_phone(phone),
    }
    check_consent(consent)
    return data


def check_photos(organisation, photos) -> list[tuple[bytes, str]]:
    """Each photo a PNG or JPEG by its content, within the size and number limits."""
    photos = [p for p in (photos or []) if p]
    most = int(orgsettings.get(organisation, "public.max_photos"))
    if len(photos) > most:
        raise Invalid(f"最多上传{most}张照片。", field="photos")
    max_bytes = int(orgsettings.get(organisation, "public.photo_max_mb")) * 1024 * 1024
    out = []
    for p in photos:
        try:
            out.append(validate(p, IMAGES, max_bytes=max_bytes))
        except Invalid as exc:
            raise Invalid(f"照片“{getattr(p, 'name', '')}”：{exc.message}", field="photos")
    return out


def public_organisation(organisation) -> Organisation:
    """An active committee or liaison group that takes suggestions (an id, a code or an instance)."""
    if isinstance(organisation, Organisation):
        org = organisation
    else:
        qs = Organisation.objects.filter(is_active=True)
        value = str(organisation or "").strip()
        org = qs.filter(pk=int(value)).first() if value.isdigit() else qs.filter(code=value).first()
    if org is None or not org.is_active:
        raise NotFound("未找到该政协组织。")
    return org


def public_studio(organisation, studio):
    """An active studio of this organisation (None when not given)."""
    from zhengxie.studios.models import Studio

    if studio in (None, ""):
        return None
    pk = getattr(studio, "pk", studio)
    found = None
    if str(pk).isdigit():
        found = Studio.objects.filter(pk=int(pk), organisation_id=organisation.pk, active=True).first()
    if found is None:
        raise Invalid("未找到该委员工作室。", field="studio_id")
    return found


def normalise_code(code) -> str:
    return re.sub(r"[\s-]", "", str(code or "")).upper()


# --- the rate limit -------------------------------------------------------------------------------------


def throttle(ip, organisation) -> None:
    """Count one submission from this address in the current hour (core.ratelimit: the cache, Redis in
    production); past `public.rate_per_hour` refuse it (429)."""
    ratelimit.throttle(
        ip,
        organisation,
        scope="suggestions.submit",
        message="提交过于频繁：每小时最多提交{limit}条微建议，请稍后再试。",
    )


# --- helpers ---------------------------------------------------------------------------------------------


def _event(s: Suggestion, user, action: str, label: str, detail: str = "", actor_label: str = "") -> None:
    Event.objects.create(
        suggestion=s,
        actor=user if getattr(user, "pk", None) else None,
        actor_label=(actor_label or getattr(user, "name", "") or getattr(user, "username", "") or CITIZEN)[
            :100
        ],
        action=action,
        label=label[:200],
        detail=detail,
    )


def _audit(user, s: Suggestion, action: str, **after) -> None:
    audit.record(
        user, f"suggestions.{action}", s, after={"status": s.status, **after}, organisation=s.organisation
    )


def _load(user, suggestion) -> Suggestion:
    """The suggestion, row-locked, if the user may see it; else 404."""
    pk = getattr(suggestion, "pk", suggestion)
    s = None
    if str(pk).isdigit():
        s = (
            Suggestion.objects.select_for_update(of=("self",))
            .select_related("organisation", "studio")
            .filter(pk=int(pk))
            .first()
        )
    if s is None or not rules.can_view(user, s):
        raise NotFound("未找到该微建议。")
    return s


def _office(user, s: Suggestion, what: str) -> None:
    if not rules.can_moderate(user, s):
        raise Forbidden(f"只有本级政协办公室工作人员可以{what}。")


def _state(s: Suggestion, allowed, what: str) -> None:
    if s.status not in allowed:
        raise Conflict(f"该微建议当前状态为「{s.get_status_display()}」，不能{what}。", code="bad_state")


def _save(s: Suggestion, *fields) -> None:
    s.updated_at = timezone.now()
    s.save(update_fields=[*fields, "updated_at"])


def office_users(organisation_id) -> list[User]:
    staff = User.objects.filter(
        organisation_id=organisation_id, groups__name=Role.STAFF, is_active=True
    ).distinct()
    return [u for u in staff if rules.is_public_office(u)]


def studio_users(studio, day=None) -> list[User]:
    """Who answers a studio's messages: the members on 线上值班 that day when the rota names any, else every
    member of the studio."""
    from zhengxie.studios.selectors import duty_members

    members = duty_members(studio, day or timezone.localdate()) or list(studio.members.all())
    ids = [m.user_id for m in members if m.user_id]
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _index(s: Suggestion) -> None:
    from zhengxie.search.services import index_document

    index_document(
        kind="suggestion",
        object_id=s.pk,
        organisation_id=s.organisation_id,
        title=s.title,
        body=s.content,
        year=s.created_at.year,
    )


def _url(s: Suggestion) -> str:
    from django.urls import reverse

    return reverse("suggestions:detail", args=[s.pk])


# --- the citizen -----------------------------------------------------------------------------------------


def submit(
    *,
    organisation,
    title,
    content,
    name="",
    phone="",
    consent=False,
    consent_to_call=False,
    studio=None,
    photos=(),
    ip=None,
    honeypot="",
) -> Suggestion | None:
    """A citizen's 微建议 (no account). Counted against the address's hourly limit first. A filled honeypot
    (a field people never see) stores nothing and returns None: the caller pretends success."""
    org = public_organisation(organisation)
    throttle(ip, org)
    if honeypot:
        return None
    data = check_submission(org, title=title, content=content, name=name, phone=phone, consent=consent)
    found_studio = public_studio(org, studio)
    files = check_photos(org, photos)
    with transaction.atomic():
        for attempt in range(5):
            try:
                with transaction.atomic():
                    s = Suggestion.objects.create(
                        organisation=org,
                        studio=found_studio,
                        consent=True,
                        consent_to_call=bool(consent_to_call) and bool(data["phone"]),
                        **data,
                    )
                break
            except IntegrityError:  # a tracking code drawn twice (≈ never)
                if attempt == 4:
                    raise
        for content_bytes, kind in files:
            photo = Photo(suggestion=s, mime_type=KINDS[kind][0], size=len(content_bytes))
            photo.file.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(content_bytes), save=False)
            photo.save()
        _index(s)  # near-duplicates in the 办公室's queue (suggestions.duplicates)
        via = f"（{found_studio.name}）" if found_studio else ""
        _event(s, None, "submit", f"群众提交微建议{via}", actor_label=data["name"] or CITIZEN)
        notify(
            office_users(org.committee.pk),
            f"新的群众微建议待审核：{s.title}",
            f"{org.name}收到一条微建议{via}，请审核。",
            url=_url(s),
            category="suggestions",
        )
        # Last: on PostgreSQL the audit chain's lock is held from this insert until commit, and every
        # audited write of the platform waits for it (a burst of citizens queued behind the notifications).
        _audit(None, s, "submit", photos=len(files), studio=getattr(found_studio, "pk", None))
    return s


LOOKUPS_PER_HOUR = 60  # look-ups by code one address may make in an hour (against guessing codes)


def by_code(code, ip=None) -> Suggestion:
    """The citizen's own suggestion by its tracking code; any other code is 404. With `ip` (the public
    pages and API) each look-up is counted, and past LOOKUPS_PER_HOUR an hour the address is refused (429)."""
    if ip is not None and ratelimit.hit(ip, "suggestions.lookup") > LOOKUPS_PER_HOUR:
        raise ratelimit.RateLimited("查询过于频繁，请一小时后再试。", code="rate_limited")
    code = normalise_code(code)
    s = None
    if 6 <= len(code) <= 16 and all(c in CODE_ALPHABET for c in code):
        s = (
            Suggestion.objects.select_related("organisation", "studio", "merged_into")
            .filter(tracking_code=code)
            .first()
        )
    if s is None:
        raise NotFound("查询码不正确，未找到对应的微建议。")
    return s


def rate(*, code, rating, comment="", ip=None) -> Suggestion:
    """The citizen rates the answer with the tracking code: on the spine when a unit answered (满意/基本满意
    close the case, 不满意 sends the unit back), here when a studio did (recorded, then closed)."""
    s = by_code(code, ip)
    if s.merged_into_id:
        raise Conflict("该微建议已与相同内容的建议合并办理，由最先提出的建议人评价。", code="merged")
    if s.status != S.REPLIED:
        raise Conflict(
            "该微建议尚未答复，暂不能评价。" if s.status != S.CLOSED else "该微建议已办结，不能重复评价。",
            code="bad_state",
        )
    if s.routed_to == Suggestion.RoutedTo.UNIT and s.case_id:
        flow.rate_as(
            rater=Rater(label=CITIZEN, key=f"citizen:{s.tracking_code}"),
            case=s.case_id,
            rating=rating,
            comment=comment,
        )
        s.refresh_from_db()
        return s
    comment = check_rating(rating, comment)
    with transaction.atomic():
        s = Suggestion.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=s.pk)
        _state(s, (S.REPLIED,), "评价")
        now = timezone.now()
        s.rating, s.rating_comment, s.rated_at = rating, comment, now
        s.status, s.closed_at = S.CLOSED, now
        _save(s, "rating", "rating_comment", "rated_at", "status", "closed_at")
        label = Suggestion.Rating(rating).label
        _event(s, None, "rate", f"建议人评价：{label}，办结", comment, actor_label=CITIZEN)
        _audit(None, s, "rate", rating=rating, rater=CITIZEN)
        if s.studio_id:
            notify(
                studio_users(s.studio),
                f"微建议已办结（评价：{label}）：{s.title}",
                comment,
                url=_url(s),
                category="suggestions",
            )
    return s


# --- the office ------------------------------------------------------------------------------------------


def moderate(*, user, suggestion, decision, reason="", category="", duplicate_of=None) -> Suggestion:
    """审核: accept, or reject as spam / out of scope / duplicate (of another suggestion of the same
    organisation) with a reason the citizen reads. A rejected suggestion never reaches a unit."""
    with transaction.atomic():
        s = _load(user, suggestion)
        _office(user, s, "审核微建议")
        _state(s, (S.RECEIVED,), "审核")
        reason = plain_text(reason, "理由")
        if decision == "accept":
            s.status = S.ACCEPTED
            label = "审核：受理"
        elif decision == "reject":
            category = plain_text(category, "类别") or Suggestion.RejectCategory.OUT_OF_SCOPE
            if category not in Suggestion.RejectCategory.values:
                raise Invalid("不予受理类别须为无效信息、不属于受理范围或重复提交。", field="category")
            if not reason:
                raise Invalid("请填写不予受理的理由（建议人可以看到）。", field="reason")
            if len(reason) > 500:
                raise Invalid("理由不能超过500字。", field="reason")
            dup = None
            if category == Suggestion.RejectCategory.DUPLICATE:
                pk = getattr(duplicate_of, "pk", duplicate_of)
                if str(pk or "").isdigit():
                    dup = Suggestion.objects.filter(pk=int(pk), organisation_id=s.organisation_id).first()
                if dup is None or dup.pk == s.pk:
                    raise Invalid("请填写与之重复的本级微建议编号。", field="duplicate_of")
            s.status, s.reject_category, s.reject_reason, s.duplicate_of = S.REJECTED, category, reason, dup
            label = f"审核：不予受理（{Suggestion.RejectCategory(category).label}）"
        else:
            raise Invalid("审核结果须为受理（accept）或不予受理（reject）。", field="decision")
        s.moderated_at, s.moderated_by = timezone.now(), user
        _save(s, "status", "reject_category", "reject_reason", "duplicate_of", "moderated_at", "moderated_by")
        _event(s, user, "moderate", label, reason)
        _audit(user, s, "moderate", decision=decision, category=s.reject_category)
    return s


def route(*, user, suggestion, unit=None, studio=None, deadline=None, note="") -> Suggestion:
    """交办: to a handling unit of the organisation (a case on the spine: the unit's inbox, lights and
    reminders; deadline given or `public.reply_days` working days), or to a 委员工作室 (its members on duty
    are told, and any member answers). Only an accepted (or not yet moderated) suggestion."""
    with transaction.atomic():
        s = _load(user, suggestion)
        _office(user, s, "交办微建议")
        _state(s, (S.RECEIVED, S.ACCEPTED), "交办")
        note = plain_text(note, "交办说明")
        if (unit in (None, "")) == (studio in (None, "")):
            raise Invalid("请选择一个承办单位或一个委员工作室。", field="unit_id")
        now = timezone.now()
        if s.status == S.RECEIVED:
            s.moderated_at, s.moderated_by = now, user
        if unit not in (None, ""):
            handling_unit = resolve_unit(s.organisation.committee, unit, field="unit_id")
            case = flow.route(
                user=user,
                kind=KIND,
                item=s,
                organisation=s.organisation.committee,  # the committee's 办公室 runs it (a town's too)
                title=s.title,
                label=f"微建议{s.pk}",
                unit=handling_unit,
                deadline=deadline,
                note=note,
            )
            s.case, s.deadline, s.routed_to = case, case.deadline, Suggestion.RoutedTo.UNIT
            s.routed_label = handling_unit.name[:100]
            label = f"交办：{handling_unit.name}，期限 {case.deadline:%Y-%m-%d}"
        else:
            target = public_studio(s.organisation, studio)
            day = check_deadline(deadline) or Calendar(s.organisation).add(
                timezone.localdate(), int(orgsettings.get(s.organisation, "public.reply_days"))
            )
            s.studio, s.deadline, s.routed_to = target, day, Suggestion.RoutedTo.STUDIO
            s.routed_label = target.name[:100]
            label = f"转{target.name}答复，期限 {day:%Y-%m-%d}"
            notify(
                studio_users(target),
                f"工作室收到群众微建议：{s.title}",
                f"请于 {day:%Y年%m月%d日} 前答复。{note}".strip(),
                url=_url(s),
                category="suggestions",
            )
        s.status, s.routed_at, s.routed_by = S.ROUTED, now, user
        _save(
            s,
            "status",
            "routed_at",
            "routed_by",
            "routed_to",
            "routed_label",
            "case",
            "studio",
            "deadline",
            "moderated_at",
            "moderated_by",
        )
        _event(s, user, "route", label, note)
        _audit(user, s, "route", routed_to=s.routed_to, case=s.case_id, studio=s.studio_id)
    return s


def reply(*, user, suggestion, content) -> Suggestion:
    """答复: a studio-routed suggestion is answered by a member of the studio (or the 办公室); a unit-routed
    one by the unit, on the spine (the same as its case page)."""
    with transaction.atomic():
        s = _load(user, suggestion)
        if s.routed_to == Suggestion.RoutedTo.UNIT and s.case_id:
            flow.reply(user=user, case=s.case_id, content=content)
            s.refresh_from_db()
            return s
        if not rules.can_reply_studio(user, s):
            raise Forbidden("只有受理该微建议的委员工作室成员可以答复。")
        _state(s, (S.ROUTED,), "答复")
        content = plain_text(content, "答复内容")
        if not content:
            raise Invalid("请填写答复内容。", field="content")
        if len(content) > 5000:
            raise Invalid("答复内容不能超过5000字。", field="content")
        now = timezone.now()
        s.reply_content, s.replied_at, s.replied_by = content, now, user
        s.reply_by_label = s.studio.name if s.studio_id else s.organisation.name
        s.reply_on_time = s.deadline is None or timezone.localdate(now) <= s.deadline
        s.status = S.REPLIED
        _save(s, "reply_content", "replied_at", "replied_by", "reply_by_label", "reply_on_time", "status")
        _event(s, user, "reply", f"{s.reply_by_label}答复（{'按期' if s.reply_on_time else '逾期'}）")
        _audit(user, s, "reply", on_time=s.reply_on_time)
        notify(
            office_users(s.organisation.committee.pk),
            f"微建议已由工作室答复：{s.title}",
            f"{user.name or user.username}已答复，建议人可凭查询码查看并评价。",
            url=_url(s),
            category="suggestions",
        )
    return s


def publish(*, user, suggestion, answer="", published=True) -> Suggestion:
    """公开: show the suggestion's title and content and the chosen answer text on the public page (never
    the name or phone); `published=False` takes it off again."""
    with transaction.atomic():
        s = _load(user, suggestion)
        _office(user, s, "公开微建议")
        if published:
            _state(s, (S.REPLIED, S.CLOSED), "公开")
            answer = plain_text(answer, "公开的答复") or s.reply_content
            if not answer:
                raise Invalid("请填写要公开的答复内容。", field="answer")
            if len(answer) > 5000:
                raise Invalid("公开的答复不能超过5000字。", field="answer")
            if _personal(s, answer):
                raise Invalid("公开的答复中含有手机号码或建议人姓名，请删去后再公开。", field="answer")
            if _personal(s, s.title) or _personal(s, s.content):
                raise Invalid(
                    "这条建议的标题或内容中含有手机号码或建议人姓名，公开会泄露个人信息，不能公开。",
                    field="answer",
                )
            s.published, s.published_answer = True, answer
            s.published_at = s.published_at or timezone.now()
            label = "在公开页面公开答复"
        else:
            if not s.published:
                raise Conflict("该微建议尚未公开。", code="not_published")
            s.published, s.published_at = False, None
            label = "取消公开"
        _save(s, "published", "published_answer", "published_at")
        index_published(s)  # the public drafting check finds only these (zhengxie.drafting)
        _event(s, user, "publish", label)
        _audit(user, s, "publish", published=s.published)
    return s


MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d(?:[\s-]?\d){8}(?!\d)")


def _personal(s: Suggestion, text: str) -> bool:
    """Whether a text to be published names the citizen or holds a mobile number (theirs or anyone's)."""
    text = text or ""
    if MOBILE_IN_TEXT.search(text):
        return True
    return len(s.name or "") >= 2 and s.name in text


PUBLISHED_KIND = "public_answer"  # search kind of the published suggestions, and of nothing else


def published_document(s: Suggestion) -> dict:
    return {
        "object_id": s.pk,
        "organisation_id": s.organisation_id,
        "title": s.title,
        "body": s.content,
        "year": s.created_at.year,
    }


def index_published(s: Suggestion) -> None:
    """Keep the search kind `public_answer` equal to the published suggestions: what the public page's
    "similar earlier suggestions" may show (never an unpublished one, never a name or phone)."""
    if s.published:
        index_document(kind=PUBLISHED_KIND, **published_document(s))
    else:
        remove_document(kind=PUBLISHED_KIND, object_id=s.pk)


# --- following the case ----------------------------------------------------------------------------------


def follow_case(case_id) -> None:
    """After a step on the spine (签收, 答复, 评价, 办结, 调整承办单位): the suggestion's status, deadline and
    unit (routed_label) follow its case, and the unit's latest reply and the citizen's rating are copied for
    the public pages (one row to read)."""
    s = Suggestion.objects.filter(case_id=case_id).first()
    if s is None:
        return
    case = Case.objects.only("status", "closed_at", "deadline").get(pk=case_id)
    status = flow.ITEM_STATUS.get(case.status)
    if status is None:
        return
    rp = (
        Reply.objects.filter(case_id=case_id)
        .select_related("assignment__unit")
        .prefetch_related("evaluations")
        .order_by("-replied_at", "-id")
        .first()
    )
    fields = {"status": status, "closed_at": case.closed_at if status == S.CLOSED else None}
    if s.routed_to == Suggestion.RoutedTo.UNIT:  # a granted 申请调整 gives it to another unit: say which
        unit = (
            Assignment.objects.filter(case_id=case_id, is_active=True, role__in=REPLYING_ROLES)
            .order_by("pk")
            .values_list("unit__name", flat=True)
            .first()
        )
        if unit:
            fields["routed_label"] = unit[:100]
    if case.deadline:  # a re-handling (不满意) or an agreed extension moves the date the citizen is shown
        fields["deadline"] = case.deadline
    if rp is not None:
        fields.update(
            reply_content=rp.content,
            replied_at=rp.replied_at,
            reply_by_label=rp.assignment.unit.name,
            reply_on_time=rp.on_time,
            replied_by_id=rp.replied_by_id,
        )
        ev = max(rp.evaluations.all(), key=lambda e: (e.created_at, e.pk), default=None)
        if ev is not None:
            fields.update(rating=ev.rating, rating_comment=ev.comment, rated_at=ev.created_at)
    changed = s.status != status
    Suggestion.objects.filter(pk=s.pk).update(updated_at=timezone.now(), **fields)
    if changed:
        label = {S.ROUTED: "承办单位办理中", S.REPLIED: "承办单位已答复", S.CLOSED: "办结"}[status]
        _event(s, None, "follow", label, actor_label="系统")


# --- 合并办理 (issue 17) -----------------------------------------------------------------------------------

MERGEABLE = (S.RECEIVED, S.ACCEPTED)  # not yet routed: a merged suggestion never reaches a unit


def merge(*, user, suggestion, into, reason="") -> Suggestion:
    """合并: a near-duplicate (received or accepted, not yet routed) follows another suggestion of the same
    organisation: it is not routed or answered on its own, the citizen's tracking code shows the main one's
    progress and answer, and the figures count the matter once. Suggestions merged into this one follow the
    main too. The citizen learns it on the tracking page (the timeline), since citizens have no account."""
    reason = plain_text(reason, "合并说明")
    if len(reason) > 500:
        raise Invalid("合并说明不能超过500字。", field="reason")
    with transaction.atomic():
        s = _load(user, suggestion)
        _office(user, s, "合并微建议")
        pk = getattr(into, "pk", into)
        if isinstance(pk, bool) or not str(pk or "").isdigit():
            raise Invalid("请选择要合并到的微建议。", field="into")
        main = (
            Suggestion.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=int(pk), organisation_id=s.organisation_id)
            .first()
        )
        if main is None or not rules.can_view(user, main):
            raise Invalid("要合并到的微建议不存在或不属于本级。", field="into")
        if main.pk == s.pk:
            raise Invalid("不能合并到自身。", field="into")
        _state(s, MERGEABLE, "合并（已交办或已处理的不能再合并）")
        if main.status in (S.REJECTED, S.MERGED):
            raise Conflict(
                f"要合并到的微建议状态为「{main.get_status_display()}」，请选择一条正在办理的建议。",
                code="bad_state",
            )
        s.status, s.merged_into = S.MERGED, main
        s.moderated_at, s.moderated_by = timezone.now(), user
        _save(s, "status", "merged_into", "moderated_at", "moderated_by")
        followers = list(Suggestion.objects.filter(merged_into=s).values_list("pk", flat=True))
        Suggestion.objects.filter(pk__in=followers).update(merged_into=main, updated_at=timezone.now())
        _event(
            s,
            user,
            "merge",
            f"与相同内容的微建议（编号{main.pk}）合并办理，办理进展和答复以该建议为准",
            reason,
        )
        _event(main, user, "merge_in", f"合并办理编号{s.pk}的相同建议", reason)
        notify(
            office_users(s.organisation.committee.pk),
            f"微建议已合并办理：{s.title}",
            f"编号{s.pk}并入编号{main.pk}《{main.title}》。{reason}".strip(),
            url=_url(main),
            category="suggestions",
        )
        _audit(user, s, "merge", merged_into=main.pk, followers=followers, reason=reason)
    return s


def merge_group(*, user, main, others, reason="") -> Suggestion:
    """一键合并 of a 疑似重复 group from the moderation queue: each of `others` merged into `main`, in one
    transaction (one refused, none merged)."""
    main_pk = getattr(main, "pk", main)
    if isinstance(main_pk, bool) or not str(main_pk or "").isdigit():
        raise Invalid("请选择主建议。", field="main")
    if not isinstance(others, (list, tuple)) or not others:
        raise Invalid("请选择要合并的微建议。", field="others")
    if any(isinstance(v, bool) or not str(v).isdigit() for v in others):
        raise Invalid("微建议编号不正确。", field="others")
    ids = list(dict.fromkeys(int(v) for v in others))
    found = {
        s.pk: s for s in Suggestion.objects.select_related("organisation").filter(pk__in=[int(main_pk), *ids])
    }
    if any(pk not in found or not rules.can_view(user, found[pk]) for pk in [int(main_pk), *ids]):
        raise NotFound("未找到该微建议。")
    if int(main_pk) in ids:
        raise Invalid("主建议不能合并到自身。", field="others")
    with transaction.atomic():
        for pk in ids:
            merge(user=user, suggestion=pk, into=int(main_pk), reason=reason)
    return Suggestion.objects.get(pk=int(main_pk))
