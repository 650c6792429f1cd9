"""The API of 民主评议: create (weights → 422), targets, raters, the steps (409 on an illegal one), ratings
(not invited → 403, window closed → 409, bad scores → 422), photos (multipart, without GPS), results
(members only once published), the year's figures; another county gets 404; lists keep their query count."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengxie.appraisal.models import Rating, Round

pytestmark = pytest.mark.django_db


def _post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def _body(**extra):
    now = timezone.now()
    return {
        "year": now.year,
        "title": "接口公园评议",
        "kind": "places",
        "opens_at": (now - datetime.timedelta(hours=1)).isoformat(),
        "closes_at": (now + datetime.timedelta(days=3)).isoformat(),
        "items": [{"name": "卫生", "weight": 50}, {"name": "设施", "weight": 50, "guidance": "是否完好"}],
        **extra,
    }


def test_the_whole_round_through_the_api(api_for, member_of_user, user):
    office = api_for("office")
    r = _post(office, "/api/v1/appraisals", _body(items=[{"name": "卫生", "weight": 50}]))
    assert r.status_code == 422 and "100" in r.json()["detail"] and r.json()["field"] == "items"
    r = _post(office, "/api/v1/appraisals", _body())
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert r.json()["status"] == "draft" and "open" in r.json()["actions"] and len(r.json()["items"]) == 2
    r = _post(
        office,
        f"/api/v1/appraisals/{rid}/targets",
        {"targets": [{"name": "接口公园", "address": "一路"}], "lines": "接口广场，二路"},
    )
    assert r.status_code == 200 and r.json() == {"added": 2, "total": 2}
    r = _post(office, f"/api/v1/appraisals/{rid}/raters", {"members": [member_of_user("member1").pk]})
    assert r.json()["raters"] == 1
    assert _post(office, f"/api/v1/appraisals/{rid}/publish").status_code == 409
    r = _post(office, f"/api/v1/appraisals/{rid}/open")
    assert r.status_code == 200 and r.json()["status"] == "open"

    m1 = api_for("member1")
    d = m1.get(f"/api/v1/appraisals/{rid}").json()
    assert d["invited"] and "rate" in d["actions"] and d["window_open"]
    targets = m1.get(f"/api/v1/appraisals/{rid}/targets?q=公园").json()["items"]
    assert [t["name"] for t in targets] == ["接口公园"] and targets[0]["rated_by_me"] is False
    items = [i["id"] for i in d["items"]]
    bad = _post(
        m1,
        f"/api/v1/appraisals/{rid}/ratings",
        {
            "target": targets[0]["id"],
            "scores": [{"item": items[0], "value": 101}, {"item": items[1], "value": 50}],
        },
    )
    assert bad.status_code == 422 and "0至100" in bad.json()["detail"]
    r = _post(
        m1,
        f"/api/v1/appraisals/{rid}/ratings",
        {
            "target": targets[0]["id"],
            "scores": [{"item": items[0], "value": 90}, {"item": items[1], "value": 70}],
            "note": "很好",
            "latitude": 32.58,
            "longitude": 105.22,
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["score"] == "80.00" and body["latitude"] is None  # the member's own view: no place
    assert Rating.objects.get(pk=body["id"]).latitude is not None
    # Not invited: 403.
    r = _post(
        api_for("member3"), f"/api/v1/appraisals/{rid}/ratings", {"target": targets[0]["id"], "scores": []}
    )
    assert r.status_code == 403 and r.json()["detail"]
    # Photos: multipart, an image; not an image → 422.
    from tests.appraisal.conftest import _jpeg

    r = m1.post(
        f"/api/v1/appraisal-ratings/{body['id']}/photos", {"photos": [SimpleUploadedFile("a.jpg", _jpeg())]}
    )
    assert r.status_code == 200 and len(r.json()["photos"]) == 1
    r = m1.post(
        f"/api/v1/appraisal-ratings/{body['id']}/photos", {"photos": [SimpleUploadedFile("a.jpg", b"xx")]}
    )
    assert r.status_code == 422
    assert (
        api_for("member3")
        .post(
            f"/api/v1/appraisal-ratings/{body['id']}/photos",
            {"photos": [SimpleUploadedFile("a.jpg", _jpeg())]},
        )
        .status_code
        == 404
    )
    # Done: the to-do goes (a member not invited may not say so).
    assert _post(api_for("member3"), f"/api/v1/appraisals/{rid}/finish").status_code == 403
    r = _post(m1, f"/api/v1/appraisals/{rid}/finish")
    assert r.status_code == 200 and r.json()["finished"] is True
    # Staff see the place; members no results yet.
    rows = api_for("leader").get(f"/api/v1/appraisals/{rid}/ratings").json()["items"]
    assert rows[0]["latitude"] == "32.580000" and rows[0]["member_name"]
    assert m1.get(f"/api/v1/appraisals/{rid}/results").status_code == 404
    assert _post(office, f"/api/v1/appraisals/{rid}/close").json()["status"] == "closed"
    r = _post(
        m1,
        f"/api/v1/appraisals/{rid}/ratings",
        {
            "target": targets[0]["id"],
            "scores": [{"item": items[0], "value": 50}, {"item": items[1], "value": 50}],
        },
    )
    assert r.status_code == 409
    assert _post(office, f"/api/v1/appraisals/{rid}/close").status_code == 409
    assert _post(office, f"/api/v1/appraisals/{rid}/publish").json()["status"] == "published"
    res = m1.get(f"/api/v1/appraisals/{rid}/results").json()
    assert (
        res["targets"][0]["name"] == "接口公园"
        and res["targets"][0]["rank"] == 1
        and res["top"] == ["接口公园"]
    )


def test_units_results_carry_the_handling_figures(api_for, make_round, user, scores_for):
    from zhengxie.appraisal import services

    r = make_round(kind="units", raters=("member1",))
    t = r.targets.order_by("order").first()
    services.rate(user("member1"), r, t, scores=scores_for(r, ("satisfied", "unsatisfied")))
    res = api_for("leader").get(f"/api/v1/appraisals/{r.pk}/results").json()
    row = next(x for x in res["targets"] if x["id"] == t.pk)
    assert row["satisfaction_rate"] == "50.0" and row["valid"] is True and row["rank"] == 1
    from zhengxie.handling.selectors import unit_figures

    figures = {f["unit_id"]: f for f in unit_figures(user("leader"), kind="proposal", year=r.year)}
    if t.unit_id in figures:
        assert row["proposals_handled"] == figures[t.unit_id]["assigned"]


def test_who_may(api_for, make_round):
    r = make_round(open=False)
    for username in ("staff", "member1", "leader"):
        assert _post(api_for(username), "/api/v1/appraisals", _body()).status_code == 403
    assert _post(api_for("leader"), f"/api/v1/appraisals/{r.pk}/open").status_code == 403
    # A draft is invisible to members.
    assert api_for("member1").get(f"/api/v1/appraisals/{r.pk}").status_code == 404


def test_another_county_sees_nothing(api_for, make_round):
    r = make_round()
    other = api_for("other")
    assert other.get(f"/api/v1/appraisals/{r.pk}").status_code == 404
    assert other.get(f"/api/v1/appraisals/{r.pk}/results").status_code == 404
    assert _post(other, f"/api/v1/appraisals/{r.pk}/close").status_code == 404
    r2 = _post(other, f"/api/v1/appraisals/{r.pk}/ratings", {"target": r.targets.first().pk, "scores": []})
    assert r2.status_code == 404 and r2.json()["detail"]
    assert r.pk not in [x["id"] for x in other.get("/api/v1/appraisals").json()["items"]]
    assert Round.objects.get(pk=r.pk).status == "open"
    # The city above reads its counties.
    assert api_for("citystaff").get(f"/api/v1/appraisals/{r.pk}").status_code == 200


def test_stats_sentence(api_for, make_round, user, scores_for):
    from zhengxie.appraisal import services, stats

    before = stats.year_stats(user("leader"))
    r = make_round()
    services.rate(user("member1"), r, r.targets.first(), scores=scores_for(r))
    s = stats.year_stats(user("leader"))
    assert s["rounds"] == before["rounds"] + 1 and s["raters"] == before["raters"] + 1
    assert (
        s["sentence"] == f"开展民主评议{s['rounds']}次，评议对象{s['targets']}个，参与委员{s['raters']}人次"
    )
    r = api_for("leader").get("/api/v1/appraisal-stats")
    assert r.status_code == 200 and r.json()["sentence"] == s["sentence"]
    assert api_for("member1").get("/api/v1/appraisal-stats").status_code == 404


def test_api_lists_keep_their_query_count(api_for, make_round, user, scores_for):
    from zhengxie.appraisal import services

    c = api_for("leader")
    r = make_round()

    def counts():
        out = []
        for url in (
            "/api/v1/appraisals",
            f"/api/v1/appraisals/{r.pk}/targets",
            f"/api/v1/appraisals/{r.pk}/ratings",
            f"/api/v1/appraisals/{r.pk}/results",
        ):
            with CaptureQueriesContext(connection) as q:
                assert c.get(url).status_code == 200
            out.append(len(q))
        return out

    services.rate(user("member1"), r, r.targets.first(), scores=scores_for(r))
    few = counts()
    for i in range(5):
        make_round(title=f"又一评议{i}")
    services.add_targets(user("office"), r, text="\n".join(f"新增{i}" for i in range(20)))
    for t in r.targets.all()[1:6]:
        services.rate(user("member3"), r, t, scores=scores_for(r))
    assert counts() == few
