"""A routed recommendation's signed 答复函 downloads through the case API
(GET /api/v1/handling/cases/{id}/replies/{rid}/letter) for whoever may see the case, and answers 404 — not a
server error — for a reply of another case or a letter whose file is gone (the same code serves the
proposals' letters: handling.selectors.reply_letter, core.uploads.download)."""

from urllib.parse import unquote

import pytest

from tests.proposals.conftest import pdf_upload
from zhengxie.handling.models import Reply
from zhengxie.handling.services import flow
from zhengxie.research import services

pytestmark = pytest.mark.django_db


def test_the_cases_letter_downloads_and_a_lost_one_is_not_found(make_topic, user, client_for):
    t = make_topic("reported")
    first, second = t.recommendations.order_by("number")
    for r in (first, second):
        services.route(user("office"), r, unit=user("handler1").handling_unit_id)
        r.refresh_from_db()
    flow.reply(user=user("handler1"), case=first.case_id, content="已落实。", letter=pdf_upload())
    rp = Reply.objects.get(case_id=first.case_id)
    url = f"/api/v1/handling/cases/{first.case_id}/replies/{rp.pk}/letter"

    r = client_for("office").get(url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    assert rp.letter.original_name in unquote(r["Content-Disposition"])
    assert (
        client_for("office")
        .get(f"/api/v1/handling/cases/{second.case_id}/replies/{rp.pk}/letter")
        .status_code
        == 404
    )

    rp.letter.file.storage.delete(rp.letter.file.name)
    assert client_for("office").get(url).status_code == 404
