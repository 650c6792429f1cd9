"""A province for measuring at the 政协云's size (`manage.py loadscale`; bench/scale_bench.py times it).

At --scale 1: 1 province, 14 cities, 120 counties (each with two 乡镇联络组), 50,000 users, 5 years
(this year and the four before), about 1,000,000 proposals on the handling spine, 500,000 社情民意 items,
2,000,000 duty records, and, per committee and year, meetings with invitations (培训 and 读书 among
them), 微建议 answered by a 委员工作室, 线上值班 days and 为民服务 records, key tasks, books and reading
check-ins. Rows are written in bulk, in the states and with the numbers the services would leave: the
proposals through the proposals benchmark's own generator (bench/proposals_bench.py `_fill_nodes` and
`_related`: numbers gap-free per session, assignments, contacts, replies with their class and 按期, ratings,
timelines, then `reporting.sync` for the spine's copies), duty records valued by each year's scheme.
Then every committee's snapshot of each year is computed (yearbook.services.refresh), so that the pages
open on stored figures. Smaller --scale multiplies every row count (the tree keeps its shape unless
--cities/--counties say otherwise).
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

BENCH = Path(__file__).resolve().parents[2] / "bench"
PREFIX = "sc"  # organisation codes sc-p, sc-c01, sc-c01-k01; usernames sc-…
FULL = {
    "users": 50_000,
    "proposals": 1_000_000,
    "opinions": 500_000,
    "duty": 2_000_000,
    "suggestions": 100_000,
    "duty_days": 60_000,
}
CITY_NAMES = [
    "江州",
    "云阳",
    "石门",
    "临川",
    "北湖",
    "青峰",
    "长宁",
    "安平",
    "南溪",
    "白沙",
    "永兴",
    "东陵",
    "桂阳",
    "西岭",
]
COUNTY_WORDS = "清平安宁兴和丰乐泰德福华阳溪山河源桥湖川岭峰"
MEETING_PLAN = [  # (kind, title) of a committee's year
    ("plenary", "全体会议"),
    ("standing", "常委会议"),
    ("standing", "常委会议"),
    ("chair", "主席会议"),
    ("committee", "专委会会议"),
    ("inspection", "专题视察"),
    ("research", "专题调研"),
    ("training", "委员履职培训"),
    ("training", "新任委员培训"),
    ("briefing", "知情明政通报会"),
    ("reading", "读书交流会"),
    ("online_duty", "线上值班"),
]
BUREAUS = None  # the proposals benchmark's lead bureaus (its TOPICS), read on first use


def _bench():
    """The bench generators (bench/proposals_bench.py, opinions_bench.py, performance_bench.py)."""
    if not (BENCH / "proposals_bench.py").exists():
        raise SystemExit("loadscale 需要仓库中的 bench/ 目录（生成器复用基准测试的数据生成代码）。")
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import opinions_bench as ob
    import performance_bench as perfb
    import proposals_bench as pb

    return pb, ob, perfb


def copy_rows(model, objs: list) -> list:
    """Model.objects.bulk_create(objs) by PostgreSQL COPY: the ids are drawn from the table's sequence
    first (so rows pointing at these can be built next), then one COPY streams the rows' own values —
    no per-value preparation by the ORM, which is most of bulk_create's time at a million rows. Elsewhere
    (SQLite) it is bulk_create."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=5000)
    from django.db import models as m
    from psycopg.types.json import Jsonb

    meta = model._meta
    fields = meta.concrete_fields
    now = timezone.now()
    with connection.cursor() as cur:
        todo = [o for o in objs if o.pk is None]
        if todo:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(todo)],
            )
            for o, (pk,) in zip(todo, cur.fetchall(), strict=True):
                o.pk = pk
        stamp = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        json = {f.attname for f in fields if isinstance(f, m.JSONField)}
        names = [f.attname for f in fields]
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cur.cursor.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({cols}) FROM STDIN") as copy:
            for o in objs:
                for f in stamp:
                    if getattr(o, f.attname) is None:
                        setattr(o, f.attname, now)
                copy.write_row([Jsonb(getattr(o, n)) if n in json else getattr(o, n) for n in names])
    for o in objs:
        o._state.adding, o._state.db = False, "default"
    return objs


class Copied:
    """A model as the bench generators use it (`Model(...)`, `Model.objects.bulk_create(...)`), whose
    bulk_create is copy_rows."""

    def __init__(self, model):
        self.model, self.objects = model, self

    def __call__(self, *args, **kwargs):
        return self.model(*args, **kwargs)

    def bulk_create(self, objs, batch_size=None):
        return copy_rows(self.model, objs)


class Generator:
    def __init__(self, scale: float, seed: int, out=None, cities: int = 14, counties: int = 120):
        self.scale = scale
        self.invited = max(4, round(40 * scale))  # members invited to each meeting
        self.rng = random.Random(seed)
        self.out = out or (lambda msg: None)
        self.n_cities = max(1, cities)
        self.n_counties = max(self.n_cities, counties)
        self.today = timezone.localdate()
        self.years = [self.today.year - k for k in range(4, -1, -1)]
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.timings: dict[str, float] = {}
        self.sync_all = True
        self.counts: dict[str, int] = {}
        self.pb, self.ob, self.perfb = _bench()

    # ----------------------------------------------------------------------------------------- helpers

    def size(self, key: str) -> int:
        return max(1, round(FULL[key] * self.scale))

    def dt(self, day, hour=10):
        at = datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)), tzinfo=self.tz)
        return min(at, self.now)

    def day_in(self, year: int) -> datetime.date:
        last = self.today if year == self.today.year else datetime.date(year, 12, 31)
        return datetime.date(year, 1, 1) + datetime.timedelta(
            days=self.rng.randint(0, (last - datetime.date(year, 1, 1)).days)
        )

    def say(self, msg: str) -> None:
        self.out(msg)

    def step(self, name: str, t0: float) -> None:
        self.timings[name] = round(time.perf_counter() - t0, 1)
        self.say(f"  {name}: {self.timings[name]:.1f} s")

    def shares(self, total: int) -> dict[int, int]:
        """{committee pk: its share of `total`}: the counties 85 %, the cities 13 %, the province 2 %."""
        weights = {}
        for c in self.committees:
            w = {"county": 0.85 / len(self.counties), "city": 0.13 / len(self.cities), "province": 0.02}
            weights[c.pk] = w[c.kind] * self.rng.uniform(0.6, 1.4)  # committees differ (outliers)
        norm = sum(weights.values())
        return {pk: max(1, round(total * w / norm)) for pk, w in weights.items()}

    def portions(self, key: str, total: int | None = None) -> dict[int, int]:
        """{committee pk: how many rows of `key` it gets}: its share of the scaled total (of `total` when
        given). A subclass may fix each committee's figures instead (the demo's counties: yearbook/demo.py)."""
        return self.shares(self.size(key) if total is None else total)

    def mix(self, committee, current: bool) -> dict:
        """The proposals' state shares of a committee's session: the benchmark's (this session in every
        stage, earlier ones mostly closed). A subclass may make one committee weaker or stronger."""
        return self.pb.CURRENT_MIX if current else self.pb.OLD_MIX

    # -------------------------------------------------------------------------------------------- run

    def run(self) -> dict:
        from zhengxie.core.models import Organisation

        if Organisation.objects.filter(code=f"{PREFIX}-p").exists():
            raise SystemExit("该数据库中已有 loadscale 生成的省级政协（编码 sc-p），请使用空数据库。")
        started = time.perf_counter()
        for name in (
            "tree",
            "people",
            "proposals",
            "opinions",
            "duty",
            "meetings",
            "public",
            "keytasks",
            "reading",
            "work",
        ):
            t0 = time.perf_counter()
            self.say(f"[loadscale] {name} ...")
            getattr(self, f"make_{name}")()
            self.step(name, t0)
        self.timings["generate"] = round(time.perf_counter() - started, 1)
        return {"timings": self.timings, "counts": self.counts}

    # ------------------------------------------------------------------------------------------- tree

    def make_tree(self) -> None:
        from zhengxie.core.models import Organisation

        K = Organisation.Kind
        province = Organisation.add_root(
            name="江南省政协", short_name="省政协", kind=K.PROVINCE, code=f"{PREFIX}-p"
        )
        self.province = province
        self.cities, self.counties, self.towns = [], [], {}
        per_city = [self.n_counties // self.n_cities] * self.n_cities
        for i in range(self.n_counties - sum(per_city)):
            per_city[i] += 1
        for ci in range(self.n_cities):
            cname = CITY_NAMES[ci % len(CITY_NAMES)] + ("" if ci < len(CITY_NAMES) else str(ci))
            city = province.add_child(
                name=f"{cname}市政协", short_name=cname, kind=K.CITY, code=f"{PREFIX}-c{ci:02d}"
            )
            self.cities.append(city)
            for ki in range(per_city[ci]):
                w = COUNTY_WORDS
                kname = f"{cname[0]}{w[(ci * 7 + ki) % len(w)]}{w[(ci + ki * 3) % len(w)]}县"
                county = city.add_child(
                    name=f"{kname}政协", short_name=kname, kind=K.COUNTY, code=f"{PREFIX}-c{ci:02d}-k{ki:02d}"
                )
                self.counties.append(county)
                self.towns[county.pk] = [
                    county.add_child(
                        name=f"{kname}{t}镇联络组",
                        short_name=f"{t}镇",
                        kind=K.LIAISON,
                        code=f"{county.code}-t{n}",
                    )
                    for n, t in enumerate(("城关", "清河"))
                ]
        self.committees = [province, *self.cities, *self.counties]
        self.counts["committees"] = len(self.committees)

    # ----------------------------------------------------------------------------------------- people

    def make_people(self) -> None:
        from zhengxie.core.models import HandlingUnit, Office, Role, User
        from zhengxie.members.models import Member, Sector, Session, Term

        pb = self.pb
        rng = self.rng
        bureaus = sorted({t[2] for t in pb.TOPICS})
        groups = {r: Group.objects.get_or_create(name=r)[0].pk for r in Role.values}
        first = self.years[0]
        self.ctx: dict[int, dict] = {}
        users, roles = [], []
        units = []
        with transaction.atomic():
            for c in self.committees:
                term = Term.objects.create(
                    organisation=c,
                    number=14,
                    name="第十四届",
                    is_current=True,
                    start_date=datetime.date(first, 1, 6),
                )
                sessions = Session.objects.bulk_create(
                    [
                        Session(
                            term=term,
                            organisation=c,
                            number=n,
                            name=f"第十四届第{pb.NUMERALS[n - 1]}次会议",
                            year=y,
                            start_date=datetime.date(y, 1, 8),
                            end_date=datetime.date(y, 1, 11),
                            proposal_deadline=datetime.date(y, 1, 10),
                            is_current=y == self.today.year,
                        )
                        for n, y in enumerate(self.years, 1)
                    ]
                )
                sectors = Sector.objects.bulk_create(
                    [
                        Sector(organisation=c, name=n, order=i)
                        for i, n in enumerate(("中共", "民盟", "工商联", "教育", "医卫"))
                    ]
                )
                self.ctx[c.pk] = {"org": c, "term": term, "sessions": sessions, "sectors": sectors}
                for uname, office, role in (
                    ("staff", Office.PROPOSAL, Role.STAFF),
                    ("info", Office.INFORMATION, Role.STAFF),
                    ("office", Office.GENERAL, Role.STAFF),
                    ("leader", "", Role.LEADER),
                ):
                    users.append(
                        User(
                            username=f"{c.code}-{uname}",
                            name=rng.choice(pb.SURNAMES) + "".join(rng.sample(pb.GIVEN, 2)),
                            organisation=c,
                            office=office,
                            password="!",
                            password_changed_at=self.now,
                        )
                    )
                    roles.append(role)
                names = bureaus + [f"{t}镇人民政府" for t in ("城关", "清河")]
                for i, n in enumerate(names):
                    units.append(
                        HandlingUnit(
                            organisation=c,
                            name=f"{c.short_name}{n}",
                            short_name=n,
                            kind=HandlingUnit.Kind.TOWN
                            if n.endswith("政府")
                            else HandlingUnit.Kind.GOVERNMENT,
                            order=i,
                        )
                    )
            HandlingUnit.objects.bulk_create(units, batch_size=2000)
            for u in units:
                users.append(
                    User(
                        username=f"{u.organisation.code}-u{u.order:02d}",
                        name=rng.choice(pb.SURNAMES) + "".join(rng.sample(pb.GIVEN, 2)),
                        organisation=u.organisation,
                        handling_unit=u,
                        password="!",
                        password_changed_at=self.now,
                    )
                )
                roles.append(Role.UNIT_HANDLER)
            n_members = max(len(self.committees) * 6, self.size("users") - len(users))
            member_share = self.portions("members", n_members)
            member_users = []
            for c in self.committees:
                for i in range(max(6, member_share[c.pk])):
                    member_users.append(
                        User(
                            username=f"{c.code}-m{i:05d}",
                            name=rng.choice(pb.SURNAMES) + "".join(rng.sample(pb.GIVEN, 2)),
                            organisation=c,
                            password="!",
                            password_changed_at=self.now,
                        )
                    )
            User.objects.bulk_create(users + member_users, batch_size=5000)
            roles += [Role.MEMBER] * len(member_users)
            User.groups.through.objects.bulk_create(
                [
                    User.groups.through(user_id=u.pk, group_id=groups[r])
                    for u, r in zip(users + member_users, roles, strict=True)
                ],
                batch_size=5000,
            )
            members = []
            for n, u in enumerate(member_users):
                c = self.ctx[u.organisation_id]
                towns = self.towns.get(u.organisation_id) or [None]
                members.append(
                    Member(
                        user=u,
                        organisation_id=u.organisation_id,
                        term=c["term"],
                        code=f"M{n:06d}",
                        name=u.name,
                        gender=rng.choice("MF"),
                        sector=rng.choice(c["sectors"]),
                        liaison_group=rng.choice(towns),
                        is_standing=n % 8 == 0,
                        position="常委" if n % 8 == 0 else "委员",
                        entry_term_number=14 if rng.random() < 0.45 else 13,
                    )
                )
            Member.objects.bulk_create(members, batch_size=5000)
        by_org: dict[int, list] = {}
        for m in members:
            by_org.setdefault(m.organisation_id, []).append(m)
        staff = {u.username: u for u in users}
        handler_of = {u.handling_unit_id: u for u in users if u.handling_unit_id}
        for pk, c in self.ctx.items():
            code = c["org"].code
            c["members"] = by_org.get(pk, [])
            c["staff"], c["info"] = staff[f"{code}-staff"], staff[f"{code}-info"]
            c["office"], c["leader"] = staff[f"{code}-office"], staff[f"{code}-leader"]
            own = [u for u in units if u.organisation_id == pk]
            c["bureaus"] = {u.short_name: u for u in own if u.kind != HandlingUnit.Kind.TOWN}
            c["town_units"] = [u for u in own if u.kind == HandlingUnit.Kind.TOWN]
            c["units"] = own
            c["handler_of"] = {u.pk: handler_of[u.pk] for u in own}
        self.counts["users"] = len(users) + len(member_users)
        self.counts["members"] = len(members)
        self.counts["handling_units"] = len(units)

    # -------------------------------------------------------------------------------------- proposals

    def make_proposals(self) -> None:
        """The proposals benchmark's rows (bench/proposals_bench.py): its word lists, state mixes and its
        _fill_nodes/_related, committee by committee and session by session."""
        from zhengxie.core.models import Counter
        from zhengxie.proposals import reporting
        from zhengxie.proposals.models import (
            Assignment,
            Contact,
            Evaluation,
            Event,
            Proposal,
            Reply,
            Signer,
            fill_session_copies,
        )

        pb, rng, S = self.pb, self.rng, Proposal.Status
        accepted_states = {S.ACCEPTED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED}
        share = self.portions("proposals")
        counts = dict.fromkeys(("signers", "assignments", "contacts", "replies", "evaluations", "events"), 0)
        made, t0, buffer = 0, time.perf_counter(), []
        numbers: dict[int, int] = {}
        numbered: dict[int, list] = {}
        # The spine's copies are synced for the whole table at once (loadscale's database is its own); a
        # generator adding to a database with other proposals (the demo) syncs only the rows it made.
        made_pks: list[int] | None = None if self.sync_all else []

        def flush():
            nonlocal buffer
            if not buffer:
                return
            with transaction.atomic():
                pb._fill_nodes(buffer, rng, self.today, self.dt, None, numbers, numbered, accepted_states, S)
                fill_session_copies([p for p, _ in buffer])  # COPY is no bulk_create: the order key
                copy_rows(Proposal, [p for p, _ in buffer])
                reporting.open_cases([p for p, _ in buffer])
                if made_pks is not None:
                    made_pks.extend(p.pk for p, _ in buffer)
                for p, _ in buffer:
                    if p.number:
                        numbered[p.session_id].append(p.pk)
                for org_pk in {p.organisation_id for p, _ in buffer}:
                    c = self.ctx[org_pk]
                    part = [x for x in buffer if x[0].organisation_id == org_pk]
                    pb._related(
                        part,
                        rng,
                        self.today,
                        self.dt,
                        c["bureaus"],
                        c["units"],
                        c["town_units"],
                        c["handler_of"],
                        c["staff"],
                        c["leader"],
                        counts,
                        tuple(Copied(x) for x in (Assignment, Contact, Evaluation, Event, Reply, Signer)),
                        S,
                    )
            buffer = []

        for c in self.committees:
            ctx = self.ctx[c.pk]
            members = ctx["members"]
            per_year = max(1, share[c.pk] // len(self.years))
            for session in ctx["sessions"]:
                numbers[session.pk], numbered[session.pk] = 0, []
                current = session.year == self.today.year
                mix = self.mix(c, current)
                states, weights = list(mix), list(mix.values())
                year_end = min(datetime.date(session.year, 12, 31), self.today)
                n = per_year if not current else max(1, per_year * 2 // 3)
                for _ in range(n):
                    topic, category, bureau = rng.choice(pb.TOPICS)
                    place = rng.choice(pb.PLACES)
                    title = f"关于{rng.choice(pb.ACTIONS)}{place}{topic}{rng.choice(pb.ASPECTS)}{rng.choice(pb.ENDINGS)}"
                    state = rng.choices(states, weights)[0]
                    if state == S.MERGED:
                        state = (
                            S.REJECTED
                            if not numbered[session.pk]
                            and not any(p.number for p, _ in buffer if p.session_id == session.pk)
                            else state
                        )
                    kind = rng.choices(["individual", "joint", "collective"], [66, 30, 4])[0]
                    lead = None if kind == "collective" else rng.choice(members)
                    cos = rng.sample(members, min(len(members), rng.randint(1, 3))) if kind == "joint" else []
                    cos = [m for m in cos if lead is None or m.pk != lead.pk]
                    if rng.random() < 0.75:
                        created = session.start_date - datetime.timedelta(days=rng.randint(0, 25))
                    else:
                        span = max(1, (year_end - session.start_date).days - 5)
                        created = session.start_date + datetime.timedelta(days=rng.randint(0, span))
                    if current and state not in (S.DRAFT, S.AWAITING_COSIGNERS, S.SUBMITTED):
                        created = min(
                            created, self.today - datetime.timedelta(days=60 if state != S.ACCEPTED else 15)
                        )
                    reasons = "".join(
                        rng.choice(pb.REASONS).format(place=place, n=rng.randint(12, 900), topic=topic)
                        for _ in range(3)
                    )
                    p = Proposal(
                        organisation=c,
                        session=session,
                        title=title[:200],
                        reasons=reasons,
                        suggestions=f"一是{rng.choice(pb.ACTIONS)}{topic}{rng.choice(pb.ASPECTS)}。",
                        category=category,
                        kind=kind,
                        status=state,
                        author=lead.user if lead else ctx["staff"],
                        lead_member=lead,
                        collective_body=f"民盟{c.short_name}委员会" if kind == "collective" else "",
                        created_at=self.dt(created, 9),
                    )
                    buffer.append((p, {"lead": lead, "cos": cos, "created": created, "bureau": bureau}))
                    made += 1
                    if len(buffer) >= 5000:
                        # a merge points at a proposal of the session already stored
                        for bp, _ in buffer:
                            if bp.status == S.MERGED and not numbered[bp.session_id]:
                                bp.status = S.REJECTED
                        flush()
                        self.say(f"    ... {made:,} proposals ({time.perf_counter() - t0:.0f} s)")
        for bp, _ in buffer:
            if bp.status == S.MERGED and not numbered[bp.session_id]:
                bp.status = S.REJECTED
        flush()
        Counter.objects.bulk_create(
            [
                Counter(organisation_id=s.organisation_id, key=f"proposal:{s.pk}", value=numbers[s.pk])
                for c in self.ctx.values()
                for s in c["sessions"]
            ],
            batch_size=2000,
        )
        t1 = time.perf_counter()
        reporting.sync(made_pks)
        self.timings["proposals_sync"] = round(time.perf_counter() - t1, 1)
        self.counts["proposals"] = made
        self.counts.update({f"proposal_{k}": v for k, v in counts.items()})

    # --------------------------------------------------------------------------------------- opinions

    def make_opinions(self) -> None:
        """社情民意 as the opinions benchmark writes them (its status mix, categories and adoption levels):
        items with their authors and timeline, published issues, adoptions and 批示 on accepted items."""
        from zhengxie.core.models import Counter
        from zhengxie.opinions.models import (
            Adoption,
            Instruction,
            Opinion,
            OpinionAuthor,
            OpinionEvent,
            OpinionIssue,
        )

        ob, pb, rng = self.ob, self.pb, self.rng
        statuses, weights = zip(*ob.STATUS_MIX, strict=True)
        share = self.portions("opinions")
        made, t0 = 0, time.perf_counter()
        bodies = {
            "county": "县委办公室",
            "city": "市委办公室",
            "province": "省政协办公厅",
            "national": "全国政协办公厅",
        }
        for c in self.committees:
            ctx = self.ctx[c.pk]
            info, members = ctx["info"], ctx["members"]
            rows, authors = [], []
            for _ in range(share[c.pk]):
                year = rng.choice(self.years)
                created = self.day_in(year)
                status = rng.choices(statuses, weights)[0]
                if status == "submitted" and (self.today - created).days > 60:
                    status = "accepted"
                topic = rng.choice(pb.TOPICS)[0]
                submitted = None if status == "draft" else self.dt(created, 10)
                reviewed = (
                    self.dt(min(self.today, created + datetime.timedelta(days=rng.randint(1, 8))), 15)
                    if status in ("accepted", "filed", "returned", "merged")
                    else None
                )
                lead = rng.choice(members)
                rows.append(
                    Opinion(
                        organisation=c,
                        year=(submitted or self.dt(created, 9)).year,
                        title=f"关于{rng.choice(pb.ACTIONS)}{rng.choice(pb.PLACES)}{topic}的建议"[:200],
                        content=rng.choice(pb.REASONS).format(
                            place=rng.choice(pb.PLACES), n=rng.randint(12, 900), topic=topic
                        ),
                        category=rng.choice(ob.CATEGORIES),
                        source="member",
                        status="accepted" if status == "merged" else status,
                        created_by=lead.user,
                        created_at=self.dt(created, 9),
                        updated_at=reviewed or submitted or self.dt(created, 9),
                        submitted_at=submitted,
                        reviewed_at=reviewed,
                        reviewed_by=info if reviewed else None,
                        review_note="请补充具体数据。" if status in ("returned", "filed") else "",
                    )
                )
                authors.append(lead)
            with transaction.atomic():
                copy_rows(Opinion, rows)
                Opinion.objects.filter(organisation=c, root__isnull=True).update(root=F("pk"))
                OpinionAuthor.objects.bulk_create(
                    [OpinionAuthor(opinion=o, member=m, order=0) for o, m in zip(rows, authors, strict=True)],
                    batch_size=5000,
                )
                events = []
                for o in rows:
                    o.root_id = o.pk
                    events.append(
                        OpinionEvent(
                            opinion=o, actor=o.created_by, action="create", label="暂存", at=o.created_at
                        )
                    )
                    if o.submitted_at:
                        events.append(
                            OpinionEvent(
                                opinion=o,
                                actor=o.created_by,
                                action="submit",
                                label="提交",
                                at=o.submitted_at,
                            )
                        )
                    if o.reviewed_at:
                        label = {"accepted": "录用", "filed": "留存未录用", "returned": "退回修改"}[o.status]
                        events.append(
                            OpinionEvent(
                                opinion=o, actor=info, action=o.status, label=label, at=o.reviewed_at
                            )
                        )
                accepted = [o for o in rows if o.status == "accepted"]
                issues, in_issue = [], []
                for year in self.years:
                    items = sorted((o for o in accepted if o.year == year), key=lambda o: o.reviewed_at)
                    picked = [o for o in items if rng.random() < 0.15]
                    for n, o in enumerate(picked, 1):
                        when = min(self.now, o.reviewed_at + datetime.timedelta(days=2))
                        issues.append(
                            OpinionIssue(
                                organisation=c,
                                year=year,
                                number=n,
                                kind="special",
                                title=o.title,
                                signer=ctx["leader"].name,
                                status="published",
                                created_by=info,
                                created_at=when,
                                published_at=when,
                                published_by=info,
                            )
                        )
                        in_issue.append(o)
                OpinionIssue.objects.bulk_create(issues, batch_size=2000)
                # the issue numbers' counters, so that the next issue composed (services) follows them
                last = {}
                for issue in issues:
                    last[issue.year] = max(last.get(issue.year, 0), issue.number)
                Counter.objects.bulk_create(
                    [Counter(organisation=c, key=f"opinions.issue.{y}", value=n) for y, n in last.items()]
                )
                for issue, o in zip(issues, in_issue, strict=True):
                    o.issue_id, o.issue_order = issue.pk, 1
                    events.append(
                        OpinionEvent(
                            opinion=o,
                            actor=info,
                            action="issue",
                            label=f"编入《社情民意》{issue.label}",
                            at=issue.created_at,
                        )
                    )
                Opinion.objects.bulk_update(in_issue, ["issue", "issue_order"], batch_size=2000)
                adoptions, instructions = [], []
                for o in accepted:
                    day = min(self.today, o.reviewed_at.date() + datetime.timedelta(days=rng.randint(5, 60)))
                    for level, p in ob.LEVEL_MIX:
                        if rng.random() < p:
                            adoptions.append(
                                Adoption(
                                    opinion=o,
                                    root_id=o.pk,
                                    organisation=c,
                                    level=level,
                                    body=bodies[level],
                                    used_as=rng.choice(["single", "summary"]),
                                    adopted_on=day,
                                    year=day.year,
                                    recorded_by=info,
                                    recorded_at=self.dt(day, 17),
                                )
                            )
                    if rng.random() < 0.05:
                        instructions.append(
                            Instruction(
                                opinion=o,
                                root_id=o.pk,
                                organisation=c,
                                leader="书记 刘建华",
                                level="county" if c.kind == "county" else c.kind,
                                content="请有关部门认真研究，抓好落实。",
                                instructed_on=day,
                                year=day.year,
                                recorded_by=info,
                                recorded_at=self.dt(day, 17),
                            )
                        )
                copy_rows(Adoption, adoptions)
                Instruction.objects.bulk_create(instructions, batch_size=5000)
                events += [
                    OpinionEvent(
                        opinion=a.opinion,
                        actor=info,
                        action="adopt",
                        label=f"采用：{a.body}",
                        at=a.recorded_at,
                    )
                    for a in adoptions
                ] + [
                    OpinionEvent(
                        opinion=i.opinion,
                        actor=info,
                        action="instruct",
                        label=f"{i.leader}批示",
                        at=i.recorded_at,
                    )
                    for i in instructions
                ]
                copy_rows(OpinionEvent, events)
            made += len(rows)
            self.counts["opinion_adoptions"] = self.counts.get("opinion_adoptions", 0) + len(adoptions)
            self.counts["opinion_issues"] = self.counts.get("opinion_issues", 0) + len(issues)
            if c.kind != "county" or c.pk % 20 == 0:
                self.say(f"    ... {made:,} opinions ({time.perf_counter() - t0:.0f} s)")
        self.counts["opinions"] = made

    # ------------------------------------------------------------------------------------ duty records

    def make_duty(self) -> None:
        """Duty records as performance_bench writes them (its act frequencies), valued by each committee's
        scheme of the year (scoring.resolve), each with its own source."""
        from django.contrib.contenttypes.models import ContentType

        from zhengxie.performance import scoring
        from zhengxie.performance.models import DutyRecord, SelfReport
        from zhengxie.performance.schemes import q

        rng = self.rng
        ct = ContentType.objects.get_for_model(SelfReport)
        acts, weights = list(self.perfb.WEIGHTS), list(self.perfb.WEIGHTS.values())
        share = self.portions("duty")
        sid, made, t0 = 0, 0, time.perf_counter()
        batch = []
        for c in self.committees:
            members = [m.pk for m in self.ctx[c.pk]["members"]]
            rules = {y: scoring.resolve(c.pk, y) for y in self.years}
            for act in rng.choices(acts, weights, k=share[c.pk]):
                sid += 1
                y = rng.choice(self.years)
                share_ = Decimal(1) if rng.random() < 0.9 else Decimal("0.5")
                rule = rules[y].rule_for(act)
                batch.append(
                    DutyRecord(
                        member_id=rng.choice(members),
                        organisation_id=c.pk,
                        year=y,
                        act=act,
                        category=rule.category,
                        points=q(rule.points * share_),
                        share=share_,
                        source_ct=ct,
                        source_id=f"sc{sid}",
                        source_repr=f"履职{sid}",
                        occurred_on=self.day_in(y),
                    )
                )
                if len(batch) >= 20000:
                    copy_rows(DutyRecord, batch)
                    made += len(batch)
                    batch = []
                    self.say(f"    ... {made:,} duty records ({time.perf_counter() - t0:.0f} s)")
        copy_rows(DutyRecord, batch)
        made += len(batch)
        self.counts["duty_records"] = made

    # --------------------------------------------------------------------------------------- meetings

    def make_meetings(self) -> None:
        """Each committee's year of meetings (MEETING_PLAN), closed when past, with invitations and
        attendance (出席 86 %, 请假 9 %, 缺席 the rest)."""
        from zhengxie.activities.models import Invitation, Meeting

        rng = self.rng
        invited = self.invited
        meetings, plans = [], []
        for c in self.committees:
            ctx = self.ctx[c.pk]
            for y in self.years:
                for n, (kind, title) in enumerate(MEETING_PLAN, 1):
                    day = datetime.date(y, n, rng.randint(3, 26))
                    starts = (
                        self.dt(day, 9)
                        if day <= self.today
                        else datetime.datetime.combine(day, datetime.time(9), tzinfo=self.tz)
                    )
                    past = day < self.today
                    meetings.append(
                        Meeting(
                            organisation=c,
                            kind=kind,
                            title=f"{c.short_name}{y}年{title}",
                            starts_at=starts,
                            ends_at=starts + datetime.timedelta(hours=3),
                            place="机关会议室",
                            organiser=ctx["office"],
                            status=Meeting.Status.CLOSED if past else Meeting.Status.NOTIFIED,
                            notified_at=starts - datetime.timedelta(days=7),
                            closed_at=starts + datetime.timedelta(hours=3) if past else None,
                            closed_by=ctx["office"] if past else None,
                        )
                    )
                    plans.append(rng.sample(ctx["members"], min(invited, len(ctx["members"]))))
        copy_rows(Meeting, meetings)
        rows = []
        A = Invitation.Attendance
        for m, people in zip(meetings, plans, strict=True):
            for member in people:
                r = rng.random()
                closed = m.status == Meeting.Status.CLOSED
                att = (
                    (A.PRESENT if r < 0.86 else A.ON_LEAVE if r < 0.95 else A.ABSENT) if closed else A.UNKNOWN
                )
                rows.append(
                    Invitation(
                        meeting=m,
                        member=member,
                        reply="attend" if att != A.ON_LEAVE else "leave_requested",
                        attendance=att,
                        checked_in_at=m.starts_at if att == A.PRESENT else None,
                        checkin_method="qr" if att == A.PRESENT else "",
                        notified_at=m.notified_at,
                    )
                )
        copy_rows(Invitation, rows)
        self.counts["meetings"], self.counts["invitations"] = len(meetings), len(rows)

    # ----------------------------------------------------------------------- 微建议, studios, 线上值班

    def make_public(self) -> None:
        from zhengxie.studios.models import DutySlot, ServiceRecord, Studio
        from zhengxie.suggestions.models import Suggestion

        rng = self.rng
        studios = []
        for c in self.committees:
            ctx = self.ctx[c.pk]
            studios.append(
                Studio(
                    organisation=c,
                    name=f"{c.short_name}委员工作室",
                    place="便民服务中心",
                    created_by=ctx["office"],
                )
            )
        Studio.objects.bulk_create(studios)
        through = Studio.members.through
        through.objects.bulk_create(
            [
                through(studio_id=s.pk, member_id=m.pk)
                for s in studios
                for m in self.ctx[s.organisation_id]["members"][:8]
            ],
            batch_size=5000,
        )
        S, R = Suggestion.Status, Suggestion.Rating
        sug_share, day_share = self.portions("suggestions"), self.portions("duty_days")
        sugg, slots, records = [], [], []
        for s in studios:
            ctx = self.ctx[s.organisation_id]
            crew = ctx["members"][:8]
            for _ in range(sug_share[s.organisation_id]):
                created = self.dt(self.day_in(rng.choice(self.years)), 10)
                status = rng.choices(
                    [S.RECEIVED, S.REJECTED, S.ROUTED, S.REPLIED, S.CLOSED], [5, 10, 10, 20, 55]
                )[0]
                if status == S.RECEIVED and (self.now - created).days > 30:
                    status = S.CLOSED
                answered = status in (S.REPLIED, S.CLOSED)
                routed = status in (S.ROUTED, S.REPLIED, S.CLOSED)
                rating = (
                    rng.choice([R.SATISFIED, R.SATISFIED, R.BASICALLY_SATISFIED, R.UNSATISFIED])
                    if status == S.CLOSED
                    else ""
                )
                sugg.append(
                    Suggestion(
                        organisation_id=s.organisation_id,
                        studio=s if routed else None,
                        title=f"关于{rng.choice(self.pb.TOPICS)[0]}的建议",
                        content="建议有关部门尽快研究解决。",
                        consent=True,
                        status=status,
                        created_at=created,
                        updated_at=created,
                        moderated_at=created if status != S.RECEIVED else None,
                        moderated_by=ctx["office"] if status != S.RECEIVED else None,
                        reject_category="out_of_scope" if status == S.REJECTED else "",
                        reject_reason="不属于受理范围。" if status == S.REJECTED else "",
                        routed_to="studio" if routed else "",
                        routed_at=created if routed else None,
                        routed_by=ctx["office"] if routed else None,
                        routed_label=s.name if routed else "",
                        reply_content="已联系相关部门，答复如下：正在推进。" if answered else "",
                        reply_by_label=s.name if answered else "",
                        replied_at=created + datetime.timedelta(days=5) if answered else None,
                        replied_by=crew[0].user if answered and crew else None,
                        reply_on_time=rng.random() < 0.9 if answered else None,
                        rating=rating,
                        rated_at=created + datetime.timedelta(days=8) if rating else None,
                        closed_at=created + datetime.timedelta(days=8) if status == S.CLOSED else None,
                    )
                )
            for _ in range(day_share[s.organisation_id]):
                day = self.day_in(rng.choice(self.years))
                done = day < self.today
                slots.append(
                    DutySlot(
                        organisation_id=s.organisation_id,
                        studio=s,
                        member=rng.choice(crew),
                        day=day,
                        status=DutySlot.Status.DONE if done else DutySlot.Status.PLANNED,
                        done_at=self.dt(day, 18) if done else None,
                        done_by=ctx["office"] if done else None,
                        created_by=ctx["office"],
                    )
                )
                if done and rng.random() < 0.5:
                    records.append(
                        ServiceRecord(
                            organisation_id=s.organisation_id,
                            member=slots[-1].member,
                            studio=s,
                            served_on=day,
                            summary="接待群众来访，记录诉求。",
                            people_served=rng.randint(1, 6),
                            created_by=slots[-1].member.user,
                        )
                    )
        copy_rows(Suggestion, sugg)
        # DutySlot: one slot per (studio, member, day) — drop repeats before writing
        seen, unique = set(), []
        for d in slots:
            key = (d.studio_id, d.member_id, d.day)
            if key not in seen:
                seen.add(key)
                unique.append(d)
        DutySlot.objects.bulk_create(unique, batch_size=5000)
        ServiceRecord.objects.bulk_create(records, batch_size=5000)
        self.counts.update(
            studios=len(studios), suggestions=len(sugg), duty_days=len(unique), service_records=len(records)
        )

    # --------------------------------------------------------------------------------------- key tasks

    def make_keytasks(self) -> None:
        from zhengxie.keytasks.models import Category, KeyTask

        rng = self.rng
        cats, tasks = [], []
        for c in self.committees:
            for y in self.years:
                for i, name in enumerate(("协商议政", "民主监督", "自身建设")):
                    cats.append(Category(organisation=c, year=y, name=name, order=i))
        Category.objects.bulk_create(cats, batch_size=2000)
        for cat in cats:
            ctx = self.ctx[cat.organisation_id]
            for k in range(3):
                done = cat.year < self.today.year or rng.random() < 0.3
                light = "green" if done else rng.choice(["green", "green", "yellow", "red"])
                tasks.append(
                    KeyTask(
                        organisation_id=cat.organisation_id,
                        year=cat.year,
                        category=cat,
                        number=cat.order * 3 + k + 1,
                        title=f"{rng.choice(('深入开展', '持续推进', '扎实做好'))}{cat.name}第{k + 1}项",
                        owner=ctx["office"],
                        owner_unit="办公室",
                        leader=ctx["leader"],
                        starts_on=datetime.date(cat.year, 1, 1),
                        due_on=datetime.date(cat.year, 12, 20),
                        percent=100 if done else rng.randint(10, 90),
                        status="done" if done else "in_progress",
                        light=light,
                        notified_light=light,
                        done_at=self.dt(
                            datetime.date(cat.year, 12, 1) if cat.year < self.today.year else self.today, 9
                        )
                        if done
                        else None,
                        created_by=ctx["office"],
                    )
                )
        KeyTask.objects.bulk_create(tasks, batch_size=2000)
        self.counts["key_tasks"] = len(tasks)

    # ----------------------------------------------------------------------------------------- reading

    def make_reading(self) -> None:
        from zhengxie.reading.models import Book, Log

        rng = self.rng
        books, logs = [], []
        for c in self.committees:
            for y in self.years:
                for i in range(3):
                    books.append(
                        Book(
                            organisation=c,
                            year=y,
                            title=f"{y}年推荐书目{i + 1}",
                            author="编写组",
                            category="理论学习",
                            created_by=self.ctx[c.pk]["office"],
                        )
                    )
        Book.objects.bulk_create(books, batch_size=2000)
        per = max(1, round(20 * self.scale))
        for b in books:
            members = self.ctx[b.organisation_id]["members"]
            for m in rng.sample(members, min(per, len(members))):
                day = self.day_in(b.year)
                note = rng.random() < 0.3
                logs.append(
                    Log(
                        member=m,
                        book=b,
                        organisation_id=b.organisation_id,
                        read_on=day,
                        minutes=rng.randint(20, 90),
                        note="读后感：" + "收获很多。" * 50 if note else "",
                        is_note=note,
                    )
                )
        Log.objects.bulk_create(logs, batch_size=5000)
        self.counts.update(books=len(books), reading_logs=len(logs))

    # ------------------------------------------------------------ consultation, research, supervision

    def make_work(self) -> None:
        """协商议事, 视察调研 and 民主监督 of each committee's year, in the states their services leave: four
        consultations of different forms (held when their month is past), an inspection and a research topic
        (reported when past), a supervision group on a unit with its problem and suggestion lists."""
        from zhengxie.consultation.models import Consultation
        from zhengxie.research.models import ResearchTopic
        from zhengxie.supervision.models import Item, Supervision

        rng = self.rng
        forms = [f for f, _ in Consultation.Form.choices]
        consultations, topics, groups = [], [], []
        for c in self.committees:
            ctx = self.ctx[c.pk]
            for y in self.years:
                for n in range(4):
                    day = datetime.date(y, 3 * n + 2, rng.randint(5, 25))
                    held = day < self.today
                    consultations.append(
                        Consultation(
                            organisation=c,
                            year=y,
                            title=f"关于{rng.choice(self.pb.TOPICS)[0]}的{y}年协商",
                            form=forms[(n + y) % len(forms)],
                            status=Consultation.Status.HELD if held else Consultation.Status.PLANNED,
                            held_on=day if held else None,
                            leader=ctx["leader"],
                            created_by=ctx["office"],
                        )
                    )
                for kind in (ResearchTopic.Kind.INSPECTION, ResearchTopic.Kind.RESEARCH):
                    past = y < self.today.year
                    topics.append(
                        ResearchTopic(
                            organisation=c,
                            year=y,
                            kind=kind,
                            title=f"{y}年{rng.choice(self.pb.TOPICS)[0]}专题{'视察' if kind == 'inspection' else '调研'}",
                            status=ResearchTopic.Status.IN_PROGRESS
                            if past or rng.random() < 0.5
                            else ResearchTopic.Status.PLANNED,
                            chair_collective=rng.random() < 0.3,
                            leader=ctx["leader"],
                            created_by=ctx["office"],
                        )
                    )
                unit = rng.choice(ctx["units"])
                groups.append(
                    Supervision(
                        organisation=c,
                        year=y,
                        unit=unit,
                        title=f"{y}年对{unit.name}的民主监督",
                        leader=ctx["members"][0],
                        starts_on=datetime.date(y, 3, 1),
                        ends_on=datetime.date(y, 11, 30),
                        status=Supervision.Status.ACTIVE
                        if y == self.today.year
                        else Supervision.Status.CLOSED,
                        created_by=ctx["office"],
                    )
                )
        Consultation.objects.bulk_create(consultations, batch_size=2000)
        ResearchTopic.objects.bulk_create(topics, batch_size=2000)
        Supervision.objects.bulk_create(groups, batch_size=2000)
        items = [
            Item(supervision=g, list=lst, number=n, content="发现的问题及建议。", created_by=g.created_by)
            for g in groups
            for lst in (Item.List.PROBLEM, Item.List.SUGGESTION)
            for n in (1, 2)
        ]
        Item.objects.bulk_create(items, batch_size=5000)
        self.counts.update(
            consultations=len(consultations),
            research_topics=len(topics),
            supervisions=len(groups),
            supervision_items=len(items),
        )


def snapshots(out=None, years: int = 2) -> dict:
    """Every committee's snapshot of this year and the `years` - 1 before (a year page reads this year's and
    last year's; an older year is counted on its first visit): how long a year's recount takes for all."""
    from zhengxie.core.models import Organisation
    from zhengxie.yearbook import services

    out = out or (lambda msg: None)
    today = timezone.localdate()
    committees = list(
        Organisation.objects.filter(
            code__startswith=f"{PREFIX}-", kind__in=services.COMMITTEE_KINDS
        ).order_by("depth", "code")
    )
    per_year = {}
    for y in range(today.year - years + 1, today.year + 1):
        t0 = time.perf_counter()
        for c in committees:
            services.refresh(c, y)
        per_year[y] = round(time.perf_counter() - t0, 1)
        out(f"  snapshots {y}: {len(committees)} committees in {per_year[y]:.1f} s")
    return {"committees": len(committees), "seconds_per_year": per_year}


def analyze() -> None:
    """Planner statistics after the bulk writes (VACUUM too on PostgreSQL, outside a transaction: index-only
    scans need the pages marked all-visible)."""
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.execute("ANALYZE")
        else:
            cur.execute(
                "ANALYZE"
                if not connection.get_autocommit() or connection.in_atomic_block
                else "VACUUM ANALYZE"
            )
