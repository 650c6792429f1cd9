"""Issue 14, finding 13: PATCH /meetings/{id} with a body that is not an object is 422, not "no change"."""


def test_patch_meeting_with_a_list_is_422(api_for, make_meeting):
    m = make_meeting(notify=False)
    c = api_for("office")
    for body in ("[null,null]", "null"):
        r = c.patch(f"/api/v1/meetings/{m.pk}", body, content_type="application/json")
        assert r.status_code == 422 and r.json()["code"] == "dict_type", r.content
    r = c.patch(f"/api/v1/meetings/{m.pk}", {"title": "改过的会议"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["title"] == "改过的会议"
