"""督办台: each office is offered 延期 only on the kinds it runs — the 办公室 on 监督整改 and 视察调研建议,
the 提案委 on proposals — and every 延期 link it is shown opens (the 办公室 saw 延期 on proposals and the
提案委 on 监督整改 items, each ending on 页面不存在)."""

import re

import pytest

from zhengxie.handling.models import Case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["office", "staff"])
def test_every_extend_link_on_the_board_opens(client_for, username):
    c = client_for(username)
    html = ""
    for page in (1, 2, 3):
        r = c.get("/handling/board/", {"page": page})
        if r.status_code != 200:
            break
        html += r.content.decode()
    ids = sorted({int(x) for x in re.findall(r"/handling/board/(\d+)/extend/", html)})
    assert ids, "the demo board offers some 延期"
    for case_id in ids:
        assert c.get(f"/handling/board/{case_id}/extend/").status_code == 200, case_id
    kinds = set(Case.objects.filter(pk__in=ids).values_list("kind", flat=True))
    if username == "staff":
        assert kinds == {"proposal"}
    else:
        assert "proposal" not in kinds
