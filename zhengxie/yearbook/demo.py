"""The demo city's other counties, so that the 政协云 pages compare committees (issue #13).

青川县 is the full demo (every app's demo module). Here 石门区 gets a modest real year of work, last year's and
this year's — proposals through their states (立案, assigned to its own units, replied on time and late,
rated), 社情民意 submitted, accepted and adopted, meetings with attendance and trainings — and 临江县政协 is
added the same way, behind on its handling this year (a low 办复率), so the city's table of counties has three
rows and an outlier to flag. The rows are the scale generator's (scale.Generator, the one `loadscale` uses) at
demo sizes, with their own fixed seed: nothing of 青川县 changes. Then every committee's snapshots of both
years are counted, so the year pages and the city's table show the figures at once.
"""

from __future__ import annotations

import datetime

from zhengxie.core.models import Office, Organisation, Role, User

from .scale import Generator

SEED = 2026
LINJIANG = {"code": "demo-county-3", "name": "临江县政协", "short_name": "临江县", "region": "临江县"}
# Each county's rows: 临江县's members (new), proposals over the two years (this session gets two thirds of
# last year's), 社情民意 items over the two years.
SIZES = {
    "demo-county-2": {"proposals": 56, "opinions": 45},
    "demo-county-3": {"members": 36, "proposals": 44, "opinions": 22},
}
# 临江县 this session: most of its 立案 proposals still with the units, few answered yet.
BEHIND = {
    "draft": 2,
    "submitted": 8,
    "accepted": 10,
    "assigned": 14,
    "handling": 44,
    "replied": 6,
    "rehandling": 2,
    "closed": 6,
    "rejected": 6,
    "converted": 2,
}
# 石门区's staff (it had none: the demo's other county only had members and unit handlers).
SHIMEN_STAFF = [
    ("staff", "罗文静", Office.PROPOSAL, Role.STAFF, "区政协提案委工作人员"),
    ("info", "梁海波", Office.INFORMATION, Role.STAFF, "区政协信息科科长"),
    ("office", "谢春燕", Office.GENERAL, Role.STAFF, "区政协办公室主任"),
    ("leader", "宋立军", "", Role.LEADER, "区政协主席"),
]
# Which of 石门区's twelve units answers a proposal whose bureau it does not have, by the proposal's category.
SHIMEN_BY_CATEGORY = {
    "科教文卫": "教育局",
    "城乡建设": "住建局",
    "资源环境": "生态环境分局",
    "农业农村": "自然资源局",
    "经济建设": "发改委",
    "社会法制": "民政局",
    "党派团体": "民政局",
    "其他": "发改委",
}


class DemoCounties(Generator):
    """The scale generator over the demo's counties: fixed rows per county instead of shares of a total."""

    def __init__(self):
        super().__init__(scale=1, seed=SEED)
        self.years = [self.today.year - 1, self.today.year]
        self.invited = 24
        self.sync_all = False  # the demo's other proposals are not ours to re-sync
        self.towns = {}

    def portions(self, key: str, total: int | None = None) -> dict[int, int]:
        return {c.pk: SIZES[c.code][key] for c in self.committees}

    def mix(self, committee, current: bool) -> dict:
        if current and committee.code == LINJIANG["code"]:
            return BEHIND
        return super().mix(committee, current)

    def shimen(self, org: Organisation, units: list) -> dict:
        """石门区's context as make_people would have left it, from the demo's own rows: its term and members
        (members/demo.py), its units and their handlers (core/demo.py), last year's session and its staff."""
        from zhengxie.core.demo import make_user
        from zhengxie.members.models import Member, Sector, Session, Term

        term = Term.objects.get(organisation=org, is_current=True)
        sessions = {s.year: s for s in Session.objects.filter(organisation=org)}
        current = next(s for s in sessions.values() if s.is_current)
        for y in self.years:
            n = current.number + y - current.year
            if y not in sessions and n >= 1:
                sessions[y] = Session.objects.create(
                    term=term,
                    organisation=org,
                    number=n,
                    name=f"{term.name}第{self.pb.NUMERALS[n - 1]}次会议",
                    year=y,
                    start_date=datetime.date(y, 1, 8),
                    end_date=datetime.date(y, 1, 11),
                    proposal_deadline=datetime.date(y, 1, 10),
                )
        staff = {
            key: make_user(f"{org.code}-{key}", name, org, [role], office=office, title=title)
            for key, name, office, role, title in SHIMEN_STAFF
        }
        own = {u.short_name: u for u in units}
        bureaus = {b: own.get(b) or own[SHIMEN_BY_CATEGORY[cat]] for _, cat, b in self.pb.TOPICS}
        handler_of = {}
        for u in User.objects.filter(handling_unit__in=units).order_by("pk"):
            handler_of.setdefault(u.handling_unit_id, u)
        return {
            "org": org,
            "term": term,
            "sessions": [sessions[y] for y in self.years if y in sessions],
            "sectors": list(Sector.objects.filter(organisation=org)),
            "members": list(Member.objects.filter(organisation=org).select_related("user").order_by("pk")),
            **staff,
            "bureaus": bureaus,
            "units": units,
            # no 乡镇 units in a 区: the few proposals sent past their bureau go to any of its units
            "town_units": units,
            "handler_of": handler_of,
        }

    def make_credits(self) -> None:
        """The duty records the services would have written for these counties' rows (record_act's rows,
        built in bulk as the other demo modules do): 提交/立案/重点/优秀 of the proposals by their signers'
        shares, 报送/录用/采用/批示 of the 社情民意 by their authors, attendance of the closed meetings; then
        the members' yearly scores."""
        from zhengxie.activities.acts import act_for
        from zhengxie.activities.models import Invitation
        from zhengxie.opinions.models import Adoption, Instruction, Opinion, OpinionAuthor
        from zhengxie.performance import acts as A
        from zhengxie.performance.services import Credit, bulk_record
        from zhengxie.proposals.models import Proposal
        from zhengxie.proposals.services.common import _shares

        ours = [c.pk for c in self.committees]
        credits = []  # (member, act, source, day, share, confirmed_by, note)
        S = Proposal.Status
        for p in Proposal.objects.filter(organisation__in=ours).exclude(
            status__in=(S.DRAFT, S.AWAITING_COSIGNERS)
        ):
            for member, share in _shares(p):
                credits.append((member, A.PROPOSAL_SUBMIT, p, p.submitted_at, share, None, ""))
                if p.accepted_at or p.status == S.MERGED:
                    credits.append(
                        (member, A.PROPOSAL_ACCEPT, p, p.accepted_at or p.submitted_at, share, None, "")
                    )
                if p.is_key:
                    credits.append((member, A.PROPOSAL_KEY, p, p.accepted_at, share, None, ""))
                if p.is_excellent:
                    credits.append((member, A.PROPOSAL_EXCELLENT, p, p.closed_at, share, None, ""))
        items = {o.pk: o for o in Opinion.objects.filter(organisation__in=ours).exclude(submitted_at=None)}
        authors = {
            a.opinion_id: a.member
            for a in OpinionAuthor.objects.filter(opinion_id__in=items).select_related("member")
        }
        for pk, o in items.items():
            credits.append((authors[pk], A.OPINION_SUBMIT, o, o.submitted_at, 1, None, ""))
            if o.status == Opinion.Status.ACCEPTED:
                credits.append((authors[pk], A.OPINION_ACCEPT, o, o.reviewed_at, 1, None, ""))
        for a in Adoption.objects.filter(root_id__in=items, revoked_at__isnull=True).order_by(
            "adopted_on", "pk"
        ):
            credits.append(
                (
                    authors[a.root_id],
                    A.OPINION_ADOPT_BY_LEVEL[a.level],
                    items[a.root_id],
                    a.adopted_on,
                    1,
                    None,
                    "",
                )
            )
        for i in Instruction.objects.filter(root_id__in=items):
            credits.append((authors[i.root_id], A.OPINION_INSTRUCTION, i, i.instructed_on, 1, None, ""))
        for inv in Invitation.objects.filter(
            meeting__organisation__in=ours, meeting__status="closed"
        ).select_related("meeting", "member"):
            act = act_for(inv.meeting.kind, inv.attendance)
            if act:
                m = inv.meeting
                credits.append((inv.member, act, inv, m.starts_at, 1, m.closed_by, m.title))
        records = bulk_record(Credit(*c) for c in credits)
        self.counts["duty_records"] = len(records)


def load(ctx):
    from zhengxie.core.demo import demo_password_hash
    from zhengxie.opinions.models import _search_documents as opinion_documents
    from zhengxie.proposals.models import _search_documents as proposal_documents
    from zhengxie.search.services import index_document

    from . import services

    gen = DemoCounties()
    city = Organisation.objects.get(pk=ctx["city"].pk)  # treebeard: a fresh copy knows its children
    linjiang = city.add_child(kind=Organisation.Kind.COUNTY, **LINJIANG)
    gen.committees = [linjiang]
    gen.make_people()  # 临江县: its term and sessions, sectors, staff, units with handlers, members
    # its staff and leader log in with the demo password, as 石门区's do (its members and handlers have none)
    staff = [f"{linjiang.code}-{k}" for k, *_ in SHIMEN_STAFF]
    User.objects.filter(username__in=staff).update(password=demo_password_hash())
    shimen = ctx["county2"]
    gen.ctx[shimen.pk] = gen.shimen(shimen, list(ctx["units2"]))
    gen.committees = [shimen, linjiang]
    gen.make_proposals()
    gen.make_opinions()
    gen.make_meetings()
    gen.make_credits()
    ours = {shimen.pk, linjiang.pk}
    for kind, documents in (("proposal", proposal_documents), ("opinion", opinion_documents)):
        for doc in documents():
            if doc["organisation_id"] in ours:
                index_document(kind=kind, **doc)
    for year in gen.years:
        services.refresh_all(year)
    c = gen.counts
    ctx["stdout"].write(
        f"    石门区、临江县：提案 {c['proposals']} 件，社情民意 {c['opinions']} 条，会议 {c['meetings']} 次；"
        f"{len(gen.years)} 个年度的统计已计算"
    )
