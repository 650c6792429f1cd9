"""Cross-access, generated from the URL conf and the API's OpenAPI document (issue 14).

Every page route with a parameter and every API operation with a path parameter must be in PAGES / API
below (route name or operationId -> how to find an object that is not the caller's) or in an EXEMPT
table with a reason: a new route fails `test_every_page_route_is_mapped` / `test_every_api_operation_is_mapped`
until somebody says how to attack it.

Scenarios (who attacks which object):
- "county": an object of 青川县 (the demo county); attacked by 石门区's users (the member `other`, a
  staff user and a system administrator of 石门区 made here, since the demo has none, and a handler of a
  石门区 unit).
- "draft": a member's own draft (or other private object); attacked by other members of 青川县.
- "unit": an object of 县教育局's; attacked by handler2 (县住建局).

The answer must be 403/404 (405 where the method is not the view's), never a success and never a 500.
Every route is also POSTed to (empty form, CSRF checks off as in the test Client): the same answers,
and nothing changed (no audit entry written, the object's row unchanged). A 302 is accepted only for
in-county scenarios, where a view may refuse with a message and a redirect; then too nothing changed.
"""

import datetime
import importlib
import json
import sys
from collections.abc import Callable
from functools import cached_property

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

OK = {403, 404, 405}


# --------------------------------------------------------------------------------------------------
# The world: the demo county's objects and the attackers.


class World:
    def __init__(self):
        from zhengxie.core.models import Organisation

        self.county = Organisation.objects.get(code="demo-county")
        self.county2 = Organisation.objects.get(code="demo-county-2")

    def first(self, model_label: str, **filters):
        model = apps.get_model(model_label)
        obj = model.objects.filter(**filters).order_by("pk").first()
        assert obj is not None, f"the demo has no {model_label} {filters}"
        return obj

    def of_county(self, model_label: str, **filters):
        return self.first(model_label, organisation=self.county, **filters)

    def user(self, username):
        from zhengxie.core.models import User

        return User.objects.get(username=username)

    def _export(self, kind):
        from django.core.files.base import ContentFile

        from zhengxie.core.models import Export

        e = Export.objects.create(
            user=self.user("staff"), organisation=self.county, kind=kind, title="导出", status="done"
        )
        e.file.save("x.xlsx", ContentFile(b"x"))
        return e

    @cached_property
    def export(self):
        from zhengxie.proposals import exports

        return self._export(exports.COMPILATION)

    @cached_property
    def roster_export(self):
        from zhengxie.members.roster import EXPORT_KIND

        return self._export(EXPORT_KIND)

    @cached_property
    def roster_import(self):
        from zhengxie.members.models import RosterImport

        return RosterImport.objects.create(
            user=self.user("admin"), organisation=self.county, filename="roster.xlsx", status="done"
        )

    @cached_property
    def recomputation(self):
        from zhengxie.performance.models import Recomputation

        return Recomputation.objects.create(
            organisation=self.county, year=2026, status="done", requested_by=self.user("staff")
        )

    @cached_property
    def photo(self):
        from zhengxie.suggestions.models import Photo

        s = self.of_county("suggestions.Suggestion")
        from django.core.files.base import ContentFile

        photo = Photo(suggestion=s, mime_type="image/png", size=1)
        photo.file.save("x.png", ContentFile(b"x"), save=False)
        photo.save()
        return photo

    @cached_property
    def meeting_attachment(self):
        from django.contrib.contenttypes.models import ContentType

        from zhengxie.core.models import Attachment

        m = self.of_county("activities.Meeting")
        return Attachment.objects.create(
            content_type=ContentType.objects.get_for_model(m),
            object_id=str(m.pk),
            purpose="material",
            organisation=self.county,
            file="uploads/x.pdf",
            original_name="x.pdf",
            mime_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=self.user("staff"),
        )

    # In-county private objects
    @cached_property
    def draft_proposal(self):
        from zhengxie.proposals.models import Proposal

        p = Proposal.objects.filter(status="draft", author__username="member1").order_by("pk").first()
        if p is None:
            p = Proposal.objects.filter(status="draft").exclude(author__username="member2").order_by("pk")[0]
        return p

    @cached_property
    def draft_opinion(self):
        from zhengxie.opinions.models import Opinion

        o = (
            Opinion.objects.filter(status="draft", organisation=self.county, created_by__username="member1")
            .order_by("pk")
            .first()
        )
        assert o is not None, "the demo has no draft 社情民意"
        return o

    @cached_property
    def unit1_assignment(self):
        """An assignment of 县教育局 (handler1's unit) on a case 县住建局 has no part in."""
        from zhengxie.handling.models import Assignment

        h2 = self.user("handler2").handling_unit_id
        h1 = self.user("handler1").handling_unit_id
        return (
            Assignment.objects.filter(unit_id=h1, case__organisation=self.county)
            .exclude(case__assignments__unit_id=h2)
            .order_by("pk")
            .first()
        )

    @cached_property
    def member1_token(self):
        from zhengxie.core.models import ApiToken

        ApiToken.issue(self.user("member1"))
        return ApiToken.objects.filter(user__username="member1").latest("pk")

    @cached_property
    def member1_notification(self):
        from zhengxie.core.models import Notification

        return Notification.objects.create(user=self.user("member1"), title="x")


@pytest.fixture
def world(db):
    return World()


COUNTY2_USERS = ("other", "shimen_staff", "shimen_admin", "shimen_handler")
ATTACKERS = {
    "county": COUNTY2_USERS,
    "draft": ("member2", "member3", "handler1"),
    "unit": ("handler2",),
    # A national list (parties): nobody but a system administrator edits it.
    # What only its user sees (an export): the colleagues, the city above and 石门区.
    "private": ("info", "office", "citystaff", "admin", *COUNTY2_USERS),
    "national": ("other", "shimen_staff", "member1", "staff", "handler1"),
}


@pytest.fixture
def attackers(db, world):
    from zhengxie.core.demo import make_user
    from zhengxie.core.models import HandlingUnit, Office, Role, User

    make_user(
        "shimen_staff",
        "石门区工作人员",
        world.county2,
        [Role.STAFF],
        office=Office.PROPOSAL,
        extra_offices=[Office.INFORMATION, Office.GENERAL, Office.COMMITTEE],
    )
    make_user("shimen_admin", "石门区系统管理员", world.county2, [Role.SYSADMIN, Role.SECADMIN])
    handler = (
        User.objects.filter(handling_unit__in=HandlingUnit.objects.filter(organisation=world.county2))
        .order_by("pk")
        .first()
    )
    clients = {}

    def client(username):
        if username not in clients:
            c = Client()
            c.force_login(handler if username == "shimen_handler" else User.objects.get(username=username))
            clients[username] = c
        return clients[username]

    return client


# --------------------------------------------------------------------------------------------------
# Page routes: name -> [(scenario, finder(world) -> (object, kwargs))]

Finder = Callable[[World], tuple]


def pk(label, scenario="county", key="pk", **filters) -> tuple:
    def find(w: World):
        obj = w.of_county(label, **filters)
        return obj, {key: obj.pk}

    return (scenario, find)


def attr(name, key="pk", scenario="county", **extra) -> tuple:
    def find(w: World):
        obj = getattr(w, name)
        return obj, {key: obj.pk, **extra}

    return (scenario, find)


def with_kwargs(entry, **extra):
    scenario, find = entry

    def f(w):
        obj, kwargs = find(w)
        return obj, {**kwargs, **extra}

    return (scenario, f)


def case(w: World):
    return w.first("handling.Assignment", case__organisation=w.county, case__kind="proposal").case


def _case(key="case_id", **extra):
    def f(w):
        c = case(w)
        return c, {key: c.pk, **extra}

    return ("county", f)


def _unit_case(key="case_id", **extra):
    def f(w):
        a = w.unit1_assignment
        return a.case, {key: a.case_id, **extra}

    return ("unit", f)


def _meeting_inv(w):
    inv = w.first("activities.Invitation", meeting__organisation=w.county)
    return inv, {"pk": inv.meeting_id, "inv": inv.pk}


def _meeting_att(w):
    att = w.meeting_attachment
    return att, {"pk": int(att.object_id), "att": att.pk}


def _unit_handler(w):
    u = w.user("handler1")
    return u, {"pk": u.handling_unit_id, "user_pk": u.pk}


def _followup(w, unit=False, **extra):
    from zhengxie.handling.models import FollowUp

    qs = FollowUp.objects.filter(case__organisation=w.county)
    if unit:
        qs = qs.filter(assignment__unit_id=w.user("handler1").handling_unit_id).exclude(
            case__assignments__unit_id=w.user("handler2").handling_unit_id
        )
    f = qs.order_by("pk").first()
    assert f is not None
    return f, {"pk": f.pk, **extra}


def _proposal_assignment(w):
    a = w.first("handling.Assignment", case__organisation=w.county, case__kind="proposal")
    return a, {"assignment_id": a.pk}


def _town(w):
    t = w.county.get_children().order_by("pk").first()
    return t, {"pk": t.pk}


def _county_org(w):
    return w.county, {"pk": w.county.pk}


def _county_user(w):
    u = w.user("member1")
    return u, {"pk": u.pk}


def _admin_reset(w):
    from zhengxie.members.models import AdminPasswordReset

    r = AdminPasswordReset.objects.create(target=w.user("auditor"), requested_by=w.user("secadmin"))
    return r, {"pk": r.pk}


def _party(w):
    p = w.first("members.Party")
    return p, {"pk": p.pk}


def _draft_proposal(**extra):
    return ("draft", lambda w: (w.draft_proposal, {"pk": w.draft_proposal.pk, **extra}))


def _draft_opinion(**extra):
    return ("draft", lambda w: (w.draft_opinion, {"pk": w.draft_opinion.pk, **extra}))


def _unit_proposal(**extra):
    """A proposal only 县教育局 handles: handler2 (县住建局) may not open it."""

    def f(w):
        p = w.unit1_assignment.case.proposal
        return p, {"pk": p.pk, **extra}

    return ("unit", f)


def _unit_suggestion(w):
    from zhengxie.suggestions.models import Suggestion

    h2 = w.user("handler2").handling_unit_id
    s = (
        Suggestion.objects.filter(
            organisation=w.county, case__assignments__unit_id=w.user("handler1").handling_unit_id
        )
        .exclude(case__assignments__unit_id=h2)
        .order_by("pk")
        .first()
    )
    assert s is not None
    return s, {"pk": s.pk}


def _member1(**extra):
    def f(w):
        m = w.first("members.Member", user__username="member1")
        return m, {"pk": m.pk, **extra}

    return ("draft", f)


def _draft_attachment(w):
    from django.contrib.contenttypes.models import ContentType

    from zhengxie.core.models import Attachment

    p = w.draft_proposal
    a = Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(p),
        object_id=str(p.pk),
        purpose="proposal",
        organisation=w.county,
        file="uploads/y.pdf",
        original_name="y.pdf",
        mime_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=p.author,
    )
    return a, {"pk": a.pk}


def _submitted_opinion(w):
    o = (
        w.first("opinions.Opinion", organisation=w.county, created_by__username="member1", status="submitted")
        if apps.get_model("opinions.Opinion")
        .objects.filter(created_by__username="member1", status="submitted")
        .exists()
        else w.draft_opinion
    )
    return o, {"pk": o.pk}


PROPOSAL = pk("proposals.Proposal", status="handling")
OPINION = pk("opinions.Opinion")
MEETING = pk("activities.Meeting")
STUDIO = pk("studios.Studio")
SUGGESTION = pk("suggestions.Suggestion")
CONSULTATION = pk("consultation.Consultation")


def _consultation_segment(w):
    from zhengxie.consultation.models import Segment

    seg = Segment.objects.filter(consultation__organisation=w.county).order_by("pk").first()
    assert seg is not None, "the demo has no consultation segment"
    return seg, {"pk": seg.consultation_id, "segment_id": seg.pk}


def _consultation_outcome(w):
    """An outcome of 青川县, sent (the demo's; made here through the services when the demo has none)."""
    from zhengxie.consultation.models import Outcome

    o = Outcome.objects.filter(consultation__organisation=w.county).order_by("pk").first()
    if o is None:
        from django.utils import timezone

        from zhengxie.consultation.models import Consultation
        from zhengxie.consultation.services import outcomes

        office = w.user("office")
        c = Consultation.objects.create(
            organisation=w.county,
            year=timezone.localdate().year,
            title="跨组织访问测试协商",
            form="bimonthly",
            status="held",
            created_by=office,
        )
        o = outcomes.save(user=office, consultation=c, summary="综述", recommendations=["建议一", "建议二"])
        o = outcomes.send(user=office, outcome=o)
    return o


def _outcome(key="pk"):
    def f(w):
        o = _consultation_outcome(w)
        return o, {key: o.pk}

    return ("county", f)


def _recommendation(key="pk"):
    def f(w):
        r = _consultation_outcome(w).recommendations.order_by("number").first()
        return r, {key: r.pk}

    return ("county", f)


EXPORT = attr("export", key="export_id", scenario="private")
ROSTER_EXPORT = attr("roster_export", key="export_id", scenario="private")

# 协商议事: the online hall (网络议政)
HALL = pk("consultation.Consultation", form="online")


def _hall_comment(key="pk", comment_key="comment_id", **filters):
    """A comment of the county's hall (the demo's 网络议政): the page routes take the consultation and
    the comment, the API the comment alone (key=None)."""

    def find(w):
        from zhengxie.consultation.models import Comment

        cm = Comment.objects.filter(consultation__organisation=w.county, **filters).order_by("pk").first()
        assert cm is not None, f"the demo has no hall comment {filters}"
        return cm, ({key: cm.consultation_id} if key else {}) | {comment_key: cm.pk}

    return ("county", find)


HALL_THREAD = _hall_comment(status="visible", parent__isnull=True)

# 协商议事: topics (选题), open calls and the year's plan
TOPIC = pk("consultation.Topic")


def _member_topic(key="pk"):
    """member1's own 委员荐题 (the demo's): other members and units see nothing of it."""

    def find(w):
        t = w.of_county("consultation.Topic", source="member", member__user__username="member1")
        return t, {key: t.pk}

    return ("draft", find)


PAGES: dict[str, list[tuple]] = {
    # members: the administrators' pages
    "members:org_add": [("county", _county_org), ("county", _town)],
    "members:org_edit": [("county", _county_org), ("county", _town)],
    "members:org_active": [("county", _town)],
    "members:org_settings": [("county", _county_org)],
    "members:term_edit": [pk("members.Term")],
    "members:term_current": [pk("members.Term")],
    "members:session_new": [pk("members.Term")],
    "members:session_edit": [pk("members.Session")],
    "members:session_current": [pk("members.Session")],
    "members:unit": [pk("core.HandlingUnit")],
    "members:unit_edit": [pk("core.HandlingUnit")],
    "members:unit_active": [pk("core.HandlingUnit")],
    "members:unit_handler_remove": [("county", _unit_handler)],
    "members:user": [("county", _county_user)],
    "members:user_edit": [("county", _county_user)],
    "members:user_reset_password": [("county", _county_user)],
    "members:user_unlock": [("county", _county_user)],
    "members:user_reset_request": [("county", _county_user)],
    "members:admin_reset_approve": [("county", _admin_reset)],
    "members:user_reset_2fa": [("county", _county_user)],
    "members:roster_import_job": [attr("roster_import")],
    "members:roster_import_progress": [attr("roster_import")],
    "members:roster_import_passwords": [attr("roster_import")],
    "members:roster_import_retry": [attr("roster_import")],
    "members:roster_export_job": [ROSTER_EXPORT],
    "members:roster_export_progress": [ROSTER_EXPORT],
    "members:roster_export_download": [ROSTER_EXPORT],
    "members:member": [pk("members.Member"), _member1()],
    "members:member_edit": [pk("members.Member")],
    "members:sectors_edit": [pk("members.Sector")],
    "members:sectors_move": [pk("members.Sector")],
    "members:committees_edit": [pk("members.SpecialCommittee")],
    "members:committees_move": [pk("members.SpecialCommittee")],
    "members:parties_edit": [("national", _party)],
    "members:parties_move": [("national", _party)],
    # handling
    "handling:extend": [_case(), _unit_case()],
    "handling:case": [_case(), _unit_case()],
    "handling:case_action": [
        _case(action="acknowledge"),
        _case(action="reply"),
        _unit_case(action="acknowledge"),
        _unit_case(action="reply"),
        _unit_case(action="extend"),
    ],
    # proposals
    "proposals:decide_change": [("county", _proposal_assignment)],
    "proposals:export": [EXPORT],
    "proposals:export_progress": [EXPORT],
    "proposals:export_download": [EXPORT],
    "proposals:detail": [PROPOSAL, _draft_proposal(), _unit_proposal()],
    "proposals:edit": [PROPOSAL, _draft_proposal()],
    "proposals:submit": [PROPOSAL, _draft_proposal()],
    "proposals:cosign": [PROPOSAL, _draft_proposal()],
    "proposals:document": [
        with_kwargs(PROPOSAL, fmt="docx"),
        _draft_proposal(fmt="docx"),
        _unit_proposal(fmt="docx"),
    ],
    "proposals:action": [with_kwargs(PROPOSAL, code="review"), with_kwargs(PROPOSAL, code="reply")],
    "proposals:simple_action": [
        with_kwargs(PROPOSAL, code="close"),
        with_kwargs(PROPOSAL, code="remind"),
        with_kwargs(PROPOSAL, code="acknowledge"),
    ],
    "proposals:followup": [("county", _followup), ("unit", lambda w: _followup(w, unit=True))],
    "proposals:followup_act": [
        ("county", lambda w: _followup(w, code="report")),
        ("county", lambda w: _followup(w, code="remind")),
        ("unit", lambda w: _followup(w, unit=True, code="report")),
    ],
    "proposals:join": [PROPOSAL],
    "proposals:join_decision": [PROPOSAL],
    "proposals:reply_template": [PROPOSAL, _unit_proposal()],
    # 社情民意
    "opinions:detail": [OPINION, _draft_opinion(), ("draft", _submitted_opinion)],
    "opinions:edit": [OPINION, _draft_opinion()],
    "opinions:submit": [OPINION, _draft_opinion()],
    "opinions:review": [OPINION],
    "opinions:forward": [OPINION],
    "opinions:adopt": [OPINION],
    "opinions:revoke_adoption": [pk("opinions.Adoption", key="adoption_id")],
    "opinions:instruct": [OPINION],
    "opinions:issue_detail": [pk("opinions.OpinionIssue")],
    "opinions:issue_edit": [pk("opinions.OpinionIssue")],
    "opinions:issue_publish": [pk("opinions.OpinionIssue")],
    "opinions:issue_document": [pk("opinions.OpinionIssue")],
    # studios (another helper's app, mapped here)
    "studios:detail": [STUDIO],
    "studios:edit": [STUDIO],
    "studios:rota": [STUDIO],
    "studios:poster": [with_kwargs(STUDIO, fmt="pdf")],
    "studios:duty_action": [with_kwargs(pk("studios.DutySlot"), action="done")],
    "studios:offer_edit": [pk("studios.ServiceOffer")],
    "studios:booking": [pk("studios.Booking")],
    "studios:booking_action": [with_kwargs(pk("studios.Booking"), action="accept")],
    "studios:record_withdraw": [pk("studios.ServiceRecord")],
    # 微建议 (another helper's app)
    "suggestions:photo": [attr("photo")],
    "suggestions:detail": [SUGGESTION, ("unit", _unit_suggestion)],
    "suggestions:unpublish": [SUGGESTION],
    "suggestions:action": [with_kwargs(SUGGESTION, name="moderate"), with_kwargs(SUGGESTION, name="route")],
    # 协商议事: consultations (views/consultations.py)
    **{
        f"consultation:{name}": [CONSULTATION]
        for name in "detail edit step meeting segment minutes material".split()
    },
    "consultation:segment_remove": [("county", _consultation_segment)],
    "consultation:poster": [with_kwargs(pk("consultation.Consultation", public=True), fmt="pdf")],
    # 协商议事: outcomes, recommendations, 批示, 票评 (views/outcomes.py)
    "consultation:outcome_edit": [CONSULTATION],
    **{
        f"consultation:{name}": [_outcome()]
        for name in (
            "outcome outcome_send outcome_document outcome_instruction outcome_vote outcome_vote_open "
            "outcome_vote_close"
        ).split()
    },
    "consultation:recommendation_route": [_recommendation()],
    "consultation:recommendation_adoption": [_recommendation()],
    # 协商议事: the online hall (views/hall.py)
    **{f"consultation:{name}": [HALL] for name in "hall hall_post hall_counts hall_summary".split()},
    "consultation:hall_thread": [HALL_THREAD],
    "consultation:hall_moderate": [
        *(with_kwargs(HALL_THREAD, action=a) for a in ("pin", "hide", "merge")),
        with_kwargs(_hall_comment(status="pending"), action="approve"),
    ],
    # 协商议事: topics, open calls and the plan (views/topics.py)
    **{
        f"consultation:{name}": [TOPIC, _member_topic()]
        for name in "topic topic_arrange topic_decide topic_plan".split()
    },
    "consultation:call_close": [pk("consultation.TopicCall")],
    "consultation:call_poster": [with_kwargs(pk("consultation.TopicCall"), fmt="pdf")],
    # 重点工作
    **{f"keytasks:{name}": [pk("keytasks.KeyTask")] for name in "detail edit report".split()},
    # activities
    "activities:detail": [MEETING],
    "activities:edit": [MEETING],
    "activities:reply": [MEETING],
    "activities:invite": [MEETING],
    "activities:invite_search": [MEETING],
    "activities:notify": [MEETING],
    "activities:close": [MEETING],
    "activities:cancel": [MEETING],
    "activities:replies": [MEETING],
    "activities:attendance_set": [("county", _meeting_inv)],
    "activities:decide": [("county", _meeting_inv)],
    "activities:invitation_remove": [("county", _meeting_inv)],
    "activities:qr": [MEETING],
    "activities:qr_code": [MEETING],
    "activities:rotate": [MEETING],
    "activities:material_upload": [MEETING],
    "activities:material_delete": [("county", _meeting_att)],
    # performance
    "performance:member": [pk("members.Member"), _member1()],
    "performance:member_report": [with_kwargs(pk("members.Member"), fmt="pdf"), _member1(fmt="pdf")],
    "performance:review_confirm": [pk("performance.SelfReport")],
    "performance:review_reject": [pk("performance.SelfReport")],
    "performance:assessment": [pk("performance.Assessment")],
    "performance:assessment_confirm": [pk("performance.Assessment")],
    "performance:assessment_export": [pk("performance.Assessment")],
    "performance:recomputation": [attr("recomputation")],
    "performance:recomputation_retry": [attr("recomputation")],
    "performance:warning_case": [
        with_kwargs(pk("members.Member", key="member_id"), year=datetime.date.today().year)
    ],
    # core
    "core:notification_read": [
        ("draft", lambda w: (w.member1_notification, {"pk": w.member1_notification.pk}))
    ],
    "core:attachment": [pk("core.Attachment"), ("draft", _draft_attachment)],
    "token_revoke": [("draft", lambda w: (w.member1_token, {"pk": w.member1_token.pk}))],
    "core:export": [EXPORT],
    "core:export_progress": [EXPORT],
    "core:export_download": [EXPORT],
    "core:export_retry": [EXPORT],
}

PAGE_EXEMPT = {
    # 协商议事: the year's plan and the public call for topics (views/topics.py)
    **{
        f"consultation:{name}": "no object id: the year's plan of the caller's own committee (another's "
        "is never reachable; tests/consultation/test_plan.py)"
        for name in "plan plan_approve plan_issue plan_document".split()
    },
    "public_consultation:topics": "an organisation's open call for topics by its public code (no login)",
    # 协商议事: the online hall
    "public_consultation:hall": "a public 网络议政 by the organisation's public code (no login; visible comments)",
    "activities:checkin": "QR check-in: the secret token in the URL is the permission (tests/activities)",
    "studios:public_studio": "a studio's public page (no login, shown to citizens)",
    "studios:public_offer": "a public 为民服务超市 offer page (no login)",
    "studios:public_services": "an organisation's public 为民服务超市 by its public code (no login)",
    "studios:organisation_poster": "no object id: the poster of the caller's own organisation",
    "public:landing": "the public 微建议 landing page of an organisation's public code (no login)",
    "public:studio": "a studio's public 微建议 page (no login)",
    "public:answers": "published 微建议 answers of an organisation (public by design)",
    "core:picker": "the name is a picker's (a form field), not an object: its choices are the caller's own "
    "scope (tests/proposals/test_list_pickers.py attacks another county's units; "
    "tests/members/test_form_member_pickers.py each member picker with outsiders and forged scopes)",
}
# Whole namespaces: the API is walked through its OpenAPI document below; django-admin is only for
# superusers (no demo role is one), platform-wide by design.
NAMESPACE_EXEMPT = {
    "api": "the API: walked through /api/openapi.json",
    "admin": "django-admin: superusers only",
}


def page_routes() -> dict[str, str]:
    """Every named route with a parameter: {"ns:name": pattern}."""
    out = {}

    def walk(patterns, prefix, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                sub = ns
                if p.namespace:
                    sub = f"{ns}:{p.namespace}" if ns else p.namespace
                walk(p.url_patterns, prefix + str(p.pattern), sub)
            elif isinstance(p, URLPattern):
                pattern = prefix + str(p.pattern)
                if "<" in pattern or "(?P" in pattern:
                    name = f"{ns}:{p.name}" if ns else (p.name or pattern)
                    out[name] = pattern

    walk(get_resolver().url_patterns, "", "")
    return out


def test_every_page_route_is_mapped():
    routes = page_routes()
    missing = sorted(
        n
        for n in routes
        if n not in PAGES and n not in PAGE_EXEMPT and n.split(":")[0] not in NAMESPACE_EXEMPT
    )
    assert not missing, f"routes with an id and no cross-access case (add them to PAGES): {missing}"
    stale = sorted(set(PAGES) - set(routes))
    assert not stale, f"PAGES names routes that no longer exist: {stale}"


def test_django_admin_is_closed_to_every_demo_role(client_for):
    from zhengxie.core.models import User

    assert not User.objects.filter(is_superuser=True).exists()
    for username in ("admin", "secadmin", "staff", "other"):
        r = client_for(username).get("/django-admin/core/user/1/change/")
        assert r.status_code in (302, 403, 404), (username, r.status_code)
        assert "/django-admin/login/" in r.get("Location", "/django-admin/login/")


def _snapshot(obj):
    from zhengxie.core.models import AuditEntry

    row = None
    if obj is not None:
        row = type(obj).objects.filter(pk=obj.pk).values().first()
    return AuditEntry.objects.count(), row


# --------------------------------------------------------------------------------------------------
# API operations: operationId (without the module prefix) -> [(scenario, finder(world) -> (obj, path))]


def _api(entry, **rename):
    """A page finder reused for the API: its kwargs renamed to the operation's path parameters."""
    scenario, find = entry

    def f(w):
        obj, kwargs = find(w)
        return obj, {rename.get(k, k): v for k, v in kwargs.items()}

    return (scenario, f)


def _reply(w, unit=False):
    from zhengxie.handling.models import Reply

    qs = Reply.objects.filter(organisation=w.county, assignment__case__kind="proposal")
    if unit:
        qs = qs.filter(unit_id=w.user("handler1").handling_unit_id).exclude(
            assignment__case__assignments__unit_id=w.user("handler2").handling_unit_id
        )
    r = qs.order_by("pk").first()
    assert r is not None
    return r


def _case_reply(unit=False):
    def f(w):
        r = _reply(w, unit)
        return r, {"case_id": r.assignment.case_id, "reply_id": r.pk}

    return ("unit" if unit else "county", f)


def _case_file(w):
    """A file of a reply (整改佐证 photos in the demo's 民主监督)."""
    from zhengxie.handling.models import Reply

    r = Reply.objects.filter(organisation=w.county, files__isnull=False).order_by("pk").first()
    assert r is not None, "the demo has no reply with files"
    return r, {
        "case_id": r.assignment.case_id,
        "reply_id": r.pk,
        "file_id": r.files.order_by("pk").first().pk,
    }


def _proposal_reply(w):
    r = _reply(w)
    return r, {"pk": r.case.proposal.pk, "reply_id": r.pk}


def _adoption(w):
    a = w.of_county("opinions.Adoption")
    return a, {"pk": a.opinion_id, "aid": a.pk}


def _meeting_invitation(w):
    inv = w.first("activities.Invitation", meeting__organisation=w.county)
    return inv, {"meeting_id": inv.meeting_id, "invitation_id": inv.pk}


API_PROPOSAL = _api(PROPOSAL)
API_CASE = _case()
API_UNIT_CASE = _unit_case()
API_MEETING = _api(MEETING, pk="meeting_id")
API_MEMBER = _api(pk("members.Member"), pk="member_id")
API_REPORT = _api(pk("performance.SelfReport"), pk="report_id")
API_FOLLOWUP = ("county", _followup)
API_OPINION = _api(OPINION)
API_ISSUE = _api(pk("opinions.OpinionIssue"))
API_BOOKING = _api(pk("studios.Booking"))
API_SUGGESTION = _api(SUGGESTION)

_PROPOSAL_OPS = (
    "detail update similar submit cosign drop_decliners review assign acknowledge request_change "
    "decide_change contacts co_opinion reply sign reply_letter evaluate extend mark_key mark_excellent "
    "remind close proposal_followups join join_decision"
).split()

API: dict[str, list[tuple]] = {
    "members_api_get_member": [API_MEMBER],
    **{
        f"handling_api_case_{op}": [API_CASE, API_UNIT_CASE]
        for op in "detail acknowledge reply letter rate sign extend change_request change_decision contact".split()
    },
    "handling_api_case_letter_download": [_case_reply(), _case_reply(unit=True)],
    "handling_api_case_file_download": [("county", _case_file)],
    **{f"proposals_api_{op}": [API_PROPOSAL] for op in _PROPOSAL_OPS},
    "proposals_api_detail": [API_PROPOSAL, _draft_proposal()],
    "proposals_api_update": [API_PROPOSAL, _draft_proposal()],
    "proposals_api_submit": [API_PROPOSAL, _draft_proposal()],
    "proposals_api_reply_letter_download": [("county", _proposal_reply)],
    "proposals_api_reply_letter_template": [API_PROPOSAL, _unit_proposal()],
    **{f"proposals_api_followup_{op}": [API_FOLLOWUP] for op in "detail report confirm remind".split()},
    "proposals_api_followup_report": [API_FOLLOWUP, ("unit", lambda w: _followup(w, unit=True))],
    "opinions_api_detail": [API_OPINION, _draft_opinion()],
    "opinions_api_update": [API_OPINION, _draft_opinion()],
    "opinions_api_submit": [API_OPINION, _draft_opinion()],
    **{f"opinions_api_{op}": [API_OPINION] for op in "review forward add_adoption add_instruction".split()},
    "opinions_api_revoke_adoption": [("county", _adoption)],
    **{
        f"opinions_api_{op}": [API_ISSUE]
        for op in "issue_detail update_issue publish_issue issue_document".split()
    },
    **{
        f"studios_api_{op}": [API_BOOKING]
        for op in "get_booking accept_booking decline_booking record_booking".split()
    },
    "studios_api_duty_done": [_api(pk("studios.DutySlot"))],
    **{
        f"suggestions_api_{op}": [API_SUGGESTION]
        for op in "get_suggestion moderate route reply publish".split()
    },
    **{
        f"activities_api_{op}": [API_MEETING]
        for op in (
            "get_meeting update_meeting list_invitations reply leave checkin invite notify attendance close "
            "cancel_meeting"
        ).split()
    },
    "activities_api_decide": [("county", _meeting_invitation)],
    # 协商议事: consultations
    **{
        f"consultation_api_consultations_{op}": [_api(CONSULTATION, pk="consultation_id")]
        for op in "consultation_get consultation_patch consultation_segment".split()
    },
    # 协商议事: outcomes
    "consultation_api_outcomes_save_outcome": [_api(CONSULTATION, pk="consultation_id")],
    "consultation_api_outcomes_consultation_outcome": [_api(CONSULTATION, pk="consultation_id")],
    **{
        f"consultation_api_outcomes_{op}": [_outcome("outcome_id")]
        for op in "get_outcome send_outcome vote vote_open vote_close add_instruction".split()
    },
    "consultation_api_outcomes_route_recommendation": [_recommendation("recommendation_id")],
    "consultation_api_outcomes_recommendation_adoption": [_recommendation("recommendation_id")],
    # 协商议事: the online hall (api/hall.py)
    **{
        f"consultation_api_hall_{op}": [_api(HALL, pk="consultation_id")]
        for op in "hall_comment_create hall_comment_list hall_get".split()
    },
    **{
        f"consultation_api_hall_hall_comment_{op}": [_hall_comment(key=None)]
        for op in "hide pin approve merge".split()
    },
    # 协商议事: topics and open calls (api/topics.py)
    **{
        f"consultation_api_topics_topics_{op}": [_api(TOPIC, pk="topic_id"), _member_topic("topic_id")]
        for op in "get arrange decide".split()
    },
    "consultation_api_topics_calls_close": [_api(pk("consultation.TopicCall"), pk="call_id")],
    # 重点工作
    **{
        f"keytasks_api_{op}": [_api(pk("keytasks.KeyTask"), pk="task_id")]
        for op in "get_key_task update_key_task report_progress report_progress_upload".split()
    },
    "performance_api_member_duty": [API_MEMBER],
    "performance_api_self_report_confirm": [API_REPORT],
    "performance_api_self_report_reject": [API_REPORT],
    "performance_api_warning_case_get": [API_MEMBER],
    "performance_api_warning_case_talk": [API_MEMBER],
    "performance_api_warning_case_decide": [API_MEMBER],
}

API_EXEMPT = {
    # 协商议事: the year's plan (api/topics.py)
    **{
        f"consultation_api_topics_plans_{op}": "{year} is no object id: the plan of the caller's own "
        "committee (tests/consultation/test_plan.py)"
        for op in "get approve issue".split()
    },
    "studios_api_get_studio": "a studio's public card (auth=None, the same as its public page)",
    "studios_api_public_booking": "a citizen's booking by its secret booking code (public, no login)",
    "studios_api_public_cancel": "a citizen cancels their booking by its secret code (public, no login)",
    "suggestions_api_public_track": "a citizen tracks a 微建议 by its secret tracking code (public)",
    "suggestions_api_public_rate": "a citizen rates a 微建议 by its secret tracking code (public)",
}


def _short(operation_id: str) -> str:
    return operation_id.removeprefix("zhengxie_")


@pytest.fixture(scope="module")
def openapi():
    from zhengxie.api import api

    return api.get_openapi_schema()


def api_operations(schema) -> dict[str, tuple[str, str, dict]]:
    """{short operationId: (method, path, operation)} for every operation with a path parameter."""
    out = {}
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if any(p["in"] == "path" for p in op.get("parameters", [])):
                out[_short(op["operationId"])] = (method, path, op)
    return out


def test_every_api_operation_is_mapped(openapi):
    ops = api_operations(openapi)
    missing = sorted(n for n in ops if n not in API and n not in API_EXEMPT)
    assert not missing, f"API operations with a path id and no cross-access case (add them to API): {missing}"
    stale = sorted(set(API) - set(ops))
    assert not stale, f"API names operations that no longer exist: {stale}"


def _resolve(schema, node):
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def example(schema, node, depth=0):
    """A small value valid for the JSON schema node (required properties only), so that the request
    reaches the view: an attack refused by body validation would prove nothing."""
    node = _resolve(schema, node)
    for key in ("anyOf", "oneOf"):
        if key in node:
            options = [o for o in node[key] if _resolve(schema, o).get("type") != "null"] or node[key]
            return example(schema, options[0], depth)
    if "allOf" in node:
        return example(schema, node["allOf"][0], depth)
    if "enum" in node:
        return node["enum"][0]
    if "default" in node:
        return node["default"]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        return {k: example(schema, props[k], depth + 1) for k in node.get("required", []) if k in props}
    if kind == "array":
        files = _resolve(schema, node.get("items", {})).get("format") == "binary"  # a multi-file field
        n = max(node.get("minItems", 0), 1 if depth == 0 or files else 0)
        return [example(schema, node.get("items", {}), depth + 1) for _ in range(n)]
    if kind == "integer":
        return max(node.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = node.get("format")
    if fmt == "date":
        return "2026-01-05"  # past: a future date would be refused before anything else
    if fmt == "date-time":
        return "2026-01-05T09:00:00+08:00"
    if fmt == "binary":
        return b"%PDF-1.4\n"
    return "测试" * max(1, node.get("minLength", 1))


def _request(schema, client, method, url, op):
    body = op.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        data = example(schema, body["application/json"]["schema"])
        return client.generic(method.upper(), url, json.dumps(data), content_type="application/json")
    if "multipart/form-data" in body:
        values = example(schema, body["multipart/form-data"]["schema"])
        form = {}
        for k, v in values.items():
            if isinstance(v, bytes):
                form[k] = SimpleUploadedFile("a.pdf", v, content_type="application/pdf")
            elif isinstance(v, list) and v and all(isinstance(x, bytes) for x in v):
                form[k] = [SimpleUploadedFile("a.pdf", x, content_type="application/pdf") for x in v]
            elif isinstance(v, dict | list):
                form[k] = json.dumps(v)
            else:
                form[k] = v
        return client.post(url, form)
    return client.generic(method.upper(), url)


@pytest.fixture
def api_attackers(attackers, world):
    from zhengxie.core.models import ApiToken, User

    attackers("shimen_handler")  # makes the 石门区 users
    handler = User.objects.filter(handling_unit__organisation=world.county2).order_by("pk").first()
    clients = {}

    def client(username):
        if username not in clients:
            u = handler if username == "shimen_handler" else User.objects.get(username=username)
            clients[username] = Client(headers={"Authorization": f"Bearer {ApiToken.issue(u)}"})
        return clients[username]

    return client


API_XFAIL: dict[str, str] = {}

# Apps built side by side keep their own tables in tests/security/cross_<app>.py, a function
# `mappings(m) -> {"PAGES": {...}, "PAGE_EXEMPT": {...}, "API": {...}, "API_EXEMPT": {...}}` given this
# module (m.pk, m.with_kwargs, m._api ...), merged here so that no two of them edit this file at once.
for _app in (
    "supervision",
    "appraisal",
    "research",
    "routing",
    "hottopics",
    "duplicates",
    "phone",
    "studios",
    "groups",
):
    try:
        _tables = importlib.import_module(f"tests.security.cross_{_app}")
    except ModuleNotFoundError as exc:
        if exc.name != f"tests.security.cross_{_app}":
            raise
        continue
    for _name, _table in _tables.mappings(sys.modules[__name__]).items():
        globals()[_name].update(_table)


# The page attacks are parametrized by family here, after the side-by-side tables are merged.
def _families():
    return sorted({name.split(":")[0] if ":" in name else "core" for name in PAGES})


# xfail where a leak is in another helper's app: {route name: reason} (strict: fixed -> the test says so).
PAGE_XFAIL: dict[str, str] = {}


def _attack_pages(world, attackers, names):
    failures = []
    for name in names:
        for scenario, find in PAGES[name]:
            obj, kwargs = find(world)
            url = reverse(name, kwargs=kwargs)
            for username in ATTACKERS[scenario]:
                c = attackers(username)
                r = c.get(url)
                if r.status_code not in OK:
                    failures.append(f"GET {url} ({name}, {scenario}) as {username}: {r.status_code}")
                before = _snapshot(obj)
                r = c.post(url, {})
                after = _snapshot(obj)
                allowed = OK | ({302} if scenario != "county" else set())
                if r.status_code not in allowed or before != after:
                    changed = " and changed it" if before != after else ""
                    failures.append(
                        f"POST {url} ({name}, {scenario}) as {username}: {r.status_code}{changed}"
                    )
    return failures


@pytest.mark.parametrize("family", _families())
def test_pages_refuse_foreign_objects(family, world, attackers):
    names = [n for n in PAGES if (n.split(":")[0] if ":" in n else "core") == family and n not in PAGE_XFAIL]
    failures = _attack_pages(world, attackers, names)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(PAGE_XFAIL) or [pytest.param("", marks=pytest.mark.skip("none"))])
def test_known_leaks_in_other_apps(name, world, attackers, request):
    request.applymarker(pytest.mark.xfail(strict=True, reason=PAGE_XFAIL.get(name, "")))
    failures = _attack_pages(world, attackers, [name])
    assert not failures, "\n".join(failures)


def _attack_api(schema, world, clients, names):
    ops = api_operations(schema)
    failures = []
    for name in names:
        method, path, op = ops[name]
        for scenario, find in API[name]:
            obj, params = find(world)
            url = path.format(**params)
            for username in ATTACKERS[scenario]:
                before = _snapshot(obj)
                r = _request(schema, clients(username), method, url, op)
                after = _snapshot(obj)
                if r.status_code not in (403, 404) or before != after:
                    changed = " and changed it" if before != after else ""
                    detail = r.content[:200].decode(errors="replace")
                    failures.append(
                        f"{method.upper()} {url} ({name}, {scenario}) as {username}: {r.status_code}{changed} {detail}"
                    )
    return failures


def _api_families():
    return sorted({n.split("_api_")[0] for n in API})


@pytest.mark.parametrize("family", _api_families())
def test_api_refuses_foreign_objects(family, openapi, world, api_attackers):
    names = [n for n in API if n.split("_api_")[0] == family and n not in API_XFAIL]
    failures = _attack_api(openapi, world, api_attackers, names)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(API_XFAIL) or [pytest.param("", marks=pytest.mark.skip("none"))])
def test_known_api_leaks_in_other_apps(name, openapi, world, api_attackers, request):
    request.applymarker(pytest.mark.xfail(strict=True, reason=API_XFAIL.get(name, "")))
    failures = _attack_api(openapi, world, api_attackers, [name])
    assert not failures, "\n".join(failures)
