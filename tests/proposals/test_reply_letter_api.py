"""The signed 答复函 of a reply downloads through the API (GET /api/v1/proposals/{id}/replies/{rid}/letter)
with its own name, for whoever may see the proposal — and answers 404, not a server error, for a reply of
another proposal, a reply without a letter or a letter whose file is gone from storage. The spine's case
API serves its letters with the same code (handling.selectors.reply_letter, core.uploads.download)."""

from urllib.parse import unquote

import pytest

from zhengxie.proposals import services

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def test_the_letter_downloads_and_a_lost_one_is_not_found(user, client_for, proposal_in):
    p = proposal_in("handling")
    services.proposal_reply(
        user=user("handler1"), proposal=p, result_class="A", content="已解决。", letter=pdf_upload()
    )
    rp = p.replies.get()
    url = f"/api/v1/proposals/{p.pk}/replies/{rp.pk}/letter"
    r = client_for("member1").get(url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    assert rp.letter.original_name in unquote(r["Content-Disposition"])
    assert client_for("handler2").get(url).status_code == 404  # not its proposal

    other = proposal_in("handling", title="关于农村公路养护的建议")
    assert client_for("staff").get(f"/api/v1/proposals/{other.pk}/replies/{rp.pk}/letter").status_code == 404

    rp.letter.file.storage.delete(rp.letter.file.name)
    assert client_for("member1").get(url).status_code == 404
