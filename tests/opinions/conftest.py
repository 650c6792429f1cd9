"""Fixtures for 社情民意: `opinion_in(state, ...)` drives a fresh item through the services.

Demo users: member1-3 (青川县 members), info (县信息科), citystaff (市 提案 and 信息 staff), leader, handler1
(县教育局)."""

import pytest

from zhengxie.opinions import services

TEXT = {
    "title": "农村留守老人就医难问题亟待关注",
    "content": "我县部分偏远乡镇村卫生室服务能力弱，留守老人看病需往返数十公里。建议推广巡回医疗和远程问诊。",
    "category": "医疗卫生",
}
STATES = ["draft", "submitted", "accepted"]


@pytest.fixture
def opinion_in(db, user):
    """opinion_in("accepted", author="member1", co_authors=["member2"], title=...) -> Opinion."""

    def make(state="draft", *, author="member1", co_authors=(), **text):
        a = user(author)
        cos = [user(c).member.pk for c in co_authors]
        o = services.opinion_create(user=a, co_author_ids=cos, **{**TEXT, **text})
        if STATES.index(state) >= 1:
            services.opinion_submit(user=a, opinion=o)
        if STATES.index(state) >= 2:
            services.opinion_review(
                user=user("info"), opinion=o, decision="accept", edited_title="关于" + o.title[:20] + "的建议"
            )
        o.refresh_from_db()
        return o

    return make
