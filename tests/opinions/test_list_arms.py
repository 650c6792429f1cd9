"""The staff's list of 社情民意 is counted and paged as two indexed arms (selectors.VisibleList): the subtree's
submitted items, and the user's own items outside them (drafts, copies they forwarded to the level above).
Same items, same order, same count as the plain `own OR subtree` filter, on every page."""

from zhengxie.core.pagination import Rows
from zhengxie.opinions import selectors, services
from zhengxie.opinions.models import Opinion


def _plain(user, **filters):
    qs = selectors.opinion_list(user, **filters)
    return qs.filter()  # any further filter gives the plain queryset (the arms are not copied)


def test_the_info_office_list_holds_its_own_copy_forwarded_above_and_pages_alike(opinion_in, user):
    info = user("info")
    for i in range(23):
        opinion_in("submitted", title=f"第{i}条：农村留守老人就医难问题亟待关注")
    o = opinion_in("accepted")
    copy = services.opinion_forward(user=info, opinion=o, organisation=info.organisation.get_parent())
    draft = services.opinion_create(
        user=info,
        title="信息科自己的草稿",
        content="正文" * 20,
        category="医疗卫生",
        source_body="县政协信息科",
    )
    listed = selectors.opinion_list(info)
    assert type(listed) is selectors.VisibleList
    plain = _plain(info)
    assert plain._arms is None  # the plain `own OR subtree` filter
    ids = list(plain.values_list("pk", flat=True))
    assert copy.pk in ids and draft.pk in ids  # own items outside the subtree's submitted ones
    assert listed.count() == len(ids) == plain.count()
    pages = [[x.pk for x in listed[a : a + 20]] for a in range(0, len(ids), 20)]
    assert sum(pages, []) == ids
    assert listed[len(ids) : len(ids) + 20] == []
    # as the API pages it (Rows), with the authors the rows show
    rows = Rows(selectors.opinion_list(info), lambda x: (x.pk, [a.member_id for a in x.authors.all()]))
    assert [pk for pk, _ in rows[0:20]] == ids[:20] and rows.count() == len(ids)


def test_filters_apply_to_both_arms(opinion_in, user):
    info = user("info")
    opinion_in("submitted")
    services.opinion_create(
        user=info,
        title="草稿不在已提交之列",
        content="正文" * 20,
        category="医疗卫生",
        source_body="县政协信息科",
    )
    for status in (["submitted"], ["draft"], None):
        listed = selectors.opinion_list(info, status=status)
        expected = list(_plain(info, status=status).values_list("pk", flat=True))
        assert [x.pk for x in listed[0:50]] == expected and listed.count() == len(expected)
    assert Opinion.objects.filter(status="draft", created_by=info).exists()
