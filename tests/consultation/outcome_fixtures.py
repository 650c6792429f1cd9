"""Fixtures of the 协商成果 tests (imported by tests/consultation/test_outcome*.py and test_votes*.py).

`held()` makes a 双月协商座谈会 of 青川县 (demo-county) that has been held, with member1 and member2 speaking
(agenda segments) and member3's hall comment taken into the summary; `written()` writes its outcome through
the service (three recommendations: the first to 县教育局 — handler1's unit —, the second without a unit,
the third to 县住房和城乡建设局); `sent()` also sends it. The office (user "office", 办公室) runs it."""

import pytest
from django.utils import timezone

from zhengxie.consultation.models import Comment, Consultation, Segment
from zhengxie.consultation.services import outcomes as services
from zhengxie.core.models import Organisation

RECOMMENDATIONS = [
    "建议将城区学校课后服务经费纳入财政预算，按生均标准保障，减轻家长负担。",
    "建议建立课后服务志愿者库，吸纳退休教师和社会专业人员参与。",
    "建议在新建小区同步规划建设社区托管场所，由住建部门牵头落实。",
]


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def education(db, user):
    return user("handler1").handling_unit


@pytest.fixture
def housing(db, user):
    return user("handler2").handling_unit


@pytest.fixture
def held(db, county, user):
    def make(**extra):
        office = user("office")
        c = Consultation.objects.create(
            organisation=extra.pop("organisation", county),
            year=timezone.localdate().year,
            title=extra.pop("title", "城区中小学课后服务"),
            form=extra.pop("form", Consultation.Form.BIMONTHLY),
            status=extra.pop("status", Consultation.Status.HELD),
            held_on=timezone.localdate(),
            created_by=office,
            **extra,
        )
        for n, name in enumerate(("member1", "member2"), 1):
            Segment.objects.create(
                consultation=c,
                order=n,
                kind=Segment.Kind.SPEECH,
                member=user(name).member,
                title=f"发言{n}",
                created_by=office,
            )
        Segment.objects.create(
            consultation=c, order=3, kind=Segment.Kind.ANSWER, speaker_label="县教育局局长", created_by=office
        )
        m3 = user("member3").member
        Comment.objects.create(
            consultation=c,
            author=m3.user,
            member=m3,
            author_label=m3.name,
            content="建议课后服务引入体育艺术课程。",
            used_in_summary=True,
        )
        return c

    return make


@pytest.fixture
def written(held, user, education, housing):
    def make(consultation=None, rows=None):
        c = consultation or held()
        rows = rows or [
            {"content": RECOMMENDATIONS[0], "unit_id": education.pk},
            {"content": RECOMMENDATIONS[1]},
            {"content": RECOMMENDATIONS[2], "unit_id": housing.pk},
        ]
        return services.save(
            user=user("office"),
            consultation=c,
            summary="委员们围绕城区中小学课后服务开展协商，提出以下建议。",
            recommendations=rows,
        )

    return make


@pytest.fixture
def sent(written, user):
    def make(**kwargs):
        o = written(**kwargs)
        return services.send(user=user("office"), outcome=o)

    return make
