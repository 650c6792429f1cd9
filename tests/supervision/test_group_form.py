"""The 组建监督小组 form names each member with the sector, so two members of the same name (the demo has
two 周玉英) are told apart when choosing the leader and the members."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_group_form_tells_members_of_the_same_name_apart(client_for):
    from zhengxie.members.models import Member

    m = Member.objects.select_related("sector").get(user__username="member1")
    html = client_for("office").get("/supervision/new/").content.decode()
    assert f">{m.name}（{m.sector.name}）</option>" in html
