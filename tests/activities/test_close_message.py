"""Closing a meeting (issue 15, "closing a meeting records non-repliers as absent without saying so"): the
message after 结束归档 says how many were recorded absent, why, and that they were told."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_result_says_how_many_were_recorded_absent_and_why(make_meeting, client_for, user):
    from zhengxie.activities import services

    from .conftest import shift

    m = make_meeting(minutes=10, invite=("member1", "member2", "member3"))
    services.invitation_reply(user=user("member1"), meeting=m, reply="attend")
    m = shift(m, 30)
    inv = m.invitations.get(member=user("member1").member)
    services.invitation_set_attendance(user=user("office"), invitation=inv, present=True)
    page = client_for("office").post(f"/activities/{m.pk}/close/", follow=True).content.decode()
    assert (
        "会议已结束归档：出席 1 人，请假 0 人，缺席 2 人（既未签到也未获准请假，已记为缺席并通知本人）"
        in page
    )
    assert m.invitations.filter(attendance="absent").count() == 2


def test_nobody_absent_says_so(make_meeting, client_for, user):
    from zhengxie.activities import services

    from .conftest import shift

    m = make_meeting(minutes=10, invite=("member1",))
    m = shift(m, 30)
    inv = m.invitations.get(member=user("member1").member)
    services.invitation_set_attendance(user=user("office"), invitation=inv, present=True)
    page = client_for("office").post(f"/activities/{m.pk}/close/", follow=True).content.decode()
    assert "出席 1 人，请假 0 人，无人缺席；" in page
