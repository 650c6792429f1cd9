"""A phone app rates a place of a round that requires photos through the API: the JSON rating is refused
without a photo and photos need a rating first, so the rating and its photos go together in one multipart
request (POST /appraisals/{id}/ratings/upload); the photos lose their location like the page's."""

import json

import pytest
from PIL import Image

from zhengxie.appraisal.models import Rating
from zhengxie.core.models import Attachment

pytestmark = pytest.mark.django_db


def test_a_member_rates_a_photo_round_with_its_photo_in_one_request(api_for, make_round, photo, scores_for):
    r = make_round(photo_required=True)
    target = r.targets.order_by("id").first()
    m1 = api_for("member1")
    url = f"/api/v1/appraisals/{r.pk}/ratings"
    body = {"target": target.pk, "scores": scores_for(r)}
    refused = m1.post(url, body, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"] == "photos"

    no_photo = m1.post(url + "/upload", {"target": target.pk, "scores": json.dumps(body["scores"])})
    assert no_photo.status_code == 422 and "照片" in no_photo.json()["detail"]
    bad = m1.post(url + "/upload", {"target": target.pk, "scores": "[{", "photos": [photo()]})
    assert bad.status_code == 422 and bad.json()["field"] == "scores"
    over = [dict(s, value=120) for s in body["scores"]]
    assert (
        m1.post(
            url + "/upload", {"target": target.pk, "scores": json.dumps(over), "photos": [photo()]}
        ).status_code
        == 422
    )

    ok = m1.post(
        url + "/upload",
        {
            "target": target.pk,
            "scores": json.dumps(body["scores"]),
            "note": "照明不足",
            "latitude": "32.58",
            "longitude": "105.22",
            "photos": [photo()],
        },
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["score"] == "81.00" and len(ok.json()["photos"]) == 1
    rating = Rating.objects.get(pk=ok.json()["id"])
    assert rating.photo_count == 1 and rating.note == "照明不足" and rating.latitude is not None
    stored = Attachment.objects.filter(purpose="appraisal_photo").order_by("-id").first()
    with Image.open(stored.file) as img:
        assert 0x8825 not in img.getexif()
    # Not invited: 403; another county: 404.
    assert (
        api_for("member2")
        .post(url + "/upload", {"target": target.pk, "scores": "[]", "photos": [photo()]})
        .status_code
        == 403
    )
    assert (
        api_for("other")
        .post(url + "/upload", {"target": target.pk, "scores": "[]", "photos": [photo()]})
        .status_code
        == 404
    )
