"""Closing a meeting (issue 15, "closing a meeting records non-repliers as absent without saying so"): the
message after 结束归档 says how many were recorded absent, why, and that they were told."""

import re

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
        "会议已结束归档：出席 1 人，请假 0 人，缺席 2 人（其中 2 名未回复通知；既未签到也未获准请假，"
        "已记为缺席并通知本人）" in page
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


def test_non_repliers_are_counted_before_and_after_closing(make_meeting, client_for, api_for, user):
    """Members who never replied are recorded absent: the confirmation says how many (「1 名未回复的委员将记为
    缺席」, apart from those who replied but neither came nor got leave) and so does the result (page, API)."""
    from zhengxie.activities import services

    from .conftest import shift

    m = make_meeting(minutes=10, invite=("member1", "member2", "member3"))
    services.invitation_reply(user=user("member1"), meeting=m, reply="attend")
    services.invitation_reply(user=user("member2"), meeting=m, reply="attend")
    m = shift(m, 30)
    inv = m.invitations.get(member=user("member1").member)
    services.invitation_set_attendance(user=user("office"), invitation=inv, present=True)
    c = client_for("office")
    page = c.get(f"/activities/{m.pk}/").content.decode()
    assert "1 名未回复的委员将记为缺席，另有 1 名已回复但未签到、未获准请假的委员也将记为缺席" in page
    page = c.post(f"/activities/{m.pk}/close/", follow=True).content.decode()
    assert "缺席 2 人（其中 1 名未回复通知；既未签到也未获准请假，已记为缺席并通知本人）" in page
    # the closed meeting's page gives the final attendance, not replies (it read 待回复 1 · 已签到 1)
    final = re.search(r'id="final-counts">(.*?)</div>\s*</div>\s*</div>', page, re.S)
    assert final, "no final attendance on the closed meeting"
    tiles = re.findall(
        r'fs-4[^"]*">([^<]*)</div><div class="small text-muted">([^<]*)<', page[final.start() :]
    )
    assert dict((label, n) for n, label in tiles[:6]) == {
        "邀请": "3",
        "出席": "1",
        "请假": "0",
        "缺席": "2",
        "其中未回复通知": "1",
        "出席率": "33.3%",
    }
    assert "待回复" not in page[final.start() : final.end()]


def test_the_api_counts_non_repliers(make_meeting, api_for, user):
    from .conftest import shift

    m = shift(make_meeting(minutes=10, invite=("member1", "member2")), 30)
    r = api_for("office").post(f"/api/v1/meetings/{m.pk}/close")
    assert r.status_code == 200, r.content
    assert r.json() == {"present": 0, "on_leave": 0, "absent": 2, "never_replied": 2}


def test_the_audit_entry_reads_in_chinese(make_meeting, api_for):
    from zhengxie.core.auditlabels import changes
    from zhengxie.core.models import AuditEntry

    from .conftest import shift

    m = shift(make_meeting(minutes=10, invite=("member1",)), 30)
    assert api_for("office").post(f"/api/v1/meetings/{m.pk}/close").status_code == 200
    entry = AuditEntry.objects.get(action="activities.meeting_close", target_id=str(m.pk))
    shown = changes(entry.before, entry.after, entry.target_type)
    assert "缺席（人）：1" in shown and "其中未回复通知（人）：1" in shown


def test_the_lists_figures_name_themselves_on_a_phone_card(make_meeting, client_for):
    """A phone shows each row as a card whose label column cut 「邀请/参加/请假/签到」 to 「邀请/参加/请…」: the cell
    is labelled 人数 and each figure names itself there (hidden from 576 px, where the column header does)."""
    m = make_meeting(minutes=60 * 24, invite=("member1", "member2"))
    page = client_for("office").get("/activities/").content.decode()
    cell = re.search(r'<td class="text-nowrap meeting-figures" data-label="人数">(.*?)</td>', page, re.S)
    assert cell, "no labelled figures cell"
    text = re.sub(
        r"<[^>]+>", "", re.findall(r'<td class="text-nowrap meeting-figures"[^>]*>.*?</td>', page, re.S)[0]
    )
    assert re.fullmatch(r"邀请 \d+ / 参加 \d+ / 请假 \d+ / 签到 \d+", " ".join(text.split())), text
    # Each name stays with its figure when the card's line is full (at 375 px 签到 broke into 签/到).
    assert '<span class="d-inline-block"><span class="d-sm-none">签到 </span>' in cell.group(1)
    assert m.title in page
