"""办结 explains what is missing (who has not rated, until when) and a 会办 unit that never gave its 会办意见
stops it unless the office records why it closes anyway (issue 15)."""

import pytest

from zhengxie.core.errors import Conflict
from zhengxie.core.models import AuditEntry
from zhengxie.proposals import services
from zhengxie.proposals.models import Proposal

API = "/api/v1/proposals"


def test_the_reason_names_who_has_not_rated_and_when_closing_opens(user, proposal_in, client_for):
    p = proposal_in("replied", cosigners=["member2"])
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied")
    with pytest.raises(Conflict) as exc:
        services.proposal_close(user=user("staff"), proposal=p)
    name = user("member2").member.name
    assert name in exc.value.message and "评价期限" in exc.value.message
    assert user("member1").member.name not in exc.value.message

    page = client_for("staff").get(f"/proposals/{p.pk}/").content.decode()
    assert 'id="close-missing"' in page and name in page and 'id="btn-close"' not in page
    member_page = client_for("member1").get(f"/proposals/{p.pk}/").content.decode()
    assert 'id="close-missing"' not in member_page


def test_a_silent_co_unit_stops_closing_until_the_office_records_why(user, proposal_in, client_for):
    p = proposal_in("replied", co=["住建局"])
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied")
    with pytest.raises(Conflict) as exc:
        services.proposal_close(user=user("staff"), proposal=p)
    assert exc.value.code == "co_unit_silent" and "住房" in exc.value.message

    staff = client_for("staff")
    page = staff.get(f"/proposals/{p.pk}/").content.decode()
    assert 'id="close-with-reason"' in page and "从未提出会办意见" in page
    r = staff.post(f"/proposals/{p.pk}/run/close/", {"reason": ""}, follow=True)
    p.refresh_from_db()
    assert p.status == Proposal.Status.REPLIED and "从未提出会办意见" in r.content.decode()

    staff.post(f"/proposals/{p.pk}/run/close/", {"reason": "会办单位已撤并，职能划入主办单位。"})
    p.refresh_from_db()
    assert p.status == Proposal.Status.CLOSED
    entry = AuditEntry.objects.filter(action="proposals.close", target_id=str(p.pk)).latest("id")
    assert "会办单位已撤并" in str(entry.after)
    assert p.events.filter(action="close", detail__contains="会办单位已撤并").exists()


def test_the_api_takes_the_reason(user, proposal_in, api_for):
    p = proposal_in("replied", co=["住建局"])
    services.proposal_evaluate(user=user("member1"), proposal=p, rating="satisfied")
    c = api_for("staff")
    r = c.post(f"{API}/{p.pk}/close", {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "co_unit_silent" and r.json()["field"] == "reason"
    r = c.post(f"{API}/{p.pk}/close", {"reason": "会办单位已撤并。"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
