"""The API contract of issue 12 for 重点工作: create, list, read, progress; 序时进度 and lights; bad input
(422), another county (404), members (404), a done task reported done again (409)."""

import datetime

import pytest

from zhengxie.core.models import AuditEntry, Notification
from zhengxie.keytasks.models import KeyTask, ProgressReport

pytestmark = pytest.mark.django_db


def _post(client, path, data):
    return client.post(path, data, content_type="application/json")


def _body(user, today, **extra):
    return {
        "year": today.year,
        "category": "协商议政",
        "title": "围绕乡村振兴开展专题协商",
        "owner": user("staff").pk,
        "due_on": str(today + datetime.timedelta(days=100)),
        "starts_on": str(today - datetime.timedelta(days=100)),
        "milestones": [
            {"title": "制定方案", "due_on": str(today - datetime.timedelta(days=60))},
            {"title": "召开协商会", "due_on": str(today + datetime.timedelta(days=60))},
        ],
        **extra,
    }


def test_create_list_and_read(api_for, user, today):
    office = api_for("office")
    r = _post(office, "/api/v1/key-tasks", _body(user, today, leader=user("leader").pk))
    assert r.status_code == 201, r.content
    t = r.json()
    assert t["expected_percent"] == 50
    # 50 points behind (and a milestone overdue): red at once.
    assert t["light"] == "red" and t["percent"] == 0 and t["status"] == "in_progress"
    assert t["category"] == "协商议政" and t["owner"] == user("staff").pk and t["owner_unit"] == "提案委员会"
    assert [m["title"] for m in t["milestones"]] == ["制定方案", "召开协商会"]
    assert t["milestones"][0]["overdue"] is True
    assert t["number"] >= 1 and "progress" in t["actions"] and "edit" in t["actions"]
    assert Notification.objects.filter(user=user("staff"), title__contains="重点工作任务").exists()
    assert AuditEntry.objects.filter(action="keytasks.create", target_id=str(t["id"])).exists()

    r = office.get(f"/api/v1/key-tasks?year={today.year}&light=red")
    assert r.status_code == 200
    ids = [i["id"] for i in r.json()["items"]]
    assert t["id"] in ids and all(i["light"] == "red" for i in r.json()["items"])
    r = api_for("leader").get(f"/api/v1/key-tasks/{t['id']}")
    assert r.status_code == 200 and r.json()["actions"] == []
    r = api_for("staff").get(f"/api/v1/key-tasks/{t['id']}")
    assert r.status_code == 200 and r.json()["actions"] == ["progress"]


def test_progress_moves_percent_and_light(api_for, user, today, make_task):
    t = make_task()  # 50 % of the time gone
    staff = api_for("staff")
    r = _post(staff, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 30, "note": "已完成调研"})
    assert r.status_code == 200, r.content
    assert r.json()["percent"] == 30 and r.json()["light"] == "yellow"  # 20 behind: yellow
    r = _post(staff, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 45, "note": "形成初稿"})
    assert r.json()["light"] == "green"
    assert [x["percent"] for x in r.json()["reports"]] == [45, 30]
    r = _post(staff, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 100, "note": "全部完成"})
    assert r.json()["status"] == "done" and r.json()["light"] == "green" and r.json()["done_at"]
    # Done again: 409.
    r = _post(staff, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 100, "note": "再次报送"})
    assert r.status_code == 409 and r.json()["detail"]
    assert AuditEntry.objects.filter(action="keytasks.report", target_id=str(t.pk)).count() == 3


def test_bad_progress_is_refused_in_chinese(api_for, make_task):
    t = make_task()
    staff = api_for("staff")
    r = _post(staff, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 101, "note": "超额"})
    assert r.status_code == 422 and "100" in r.json()["detail"] and r.json()["field"] == "percent"
    r = _post(staff, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": -1, "note": "负数"})
    assert r.status_code == 422
    r = _post(staff, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 40, "note": ""})
    assert r.status_code == 422 and r.json()["field"] == "note"
    assert (
        _post(staff, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 40, "note": "推进"}).status_code == 200
    )
    # Going back without a reason: 422; with one: accepted and kept.
    r = _post(staff, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 20, "note": "重新评估"})
    assert r.status_code == 422 and r.json()["field"] == "reason" and "回退原因" in r.json()["detail"]
    r = _post(
        staff,
        f"/api/v1/key-tasks/{t.pk}/progress",
        {"percent": 20, "note": "重新评估", "reason": "方案调整，部分工作需重做"},
    )
    assert r.status_code == 200 and r.json()["percent"] == 20
    assert ProgressReport.objects.get(task=t, percent=20).reason == "方案调整，部分工作需重做"
    assert KeyTask.objects.get(pk=t.pk).percent == 20


def test_bad_task_input(api_for, user, today):
    office = api_for("office")
    cases = [
        ({"title": ""}, "title"),
        ({"owner": user("member1").pk}, "owner"),  # not staff
        ({"owner": user("other").pk}, "owner"),  # another county
        ({"due_on": str(today - datetime.timedelta(days=200))}, "due_on"),  # before the start
        (
            {"milestones": [{"title": "太晚", "due_on": str(today + datetime.timedelta(days=300))}]},
            "milestones",
        ),
        ({"leader": user("staff").pk}, "leader"),
        ({"year": 1900}, "year"),
    ]
    for extra, field in cases:
        r = _post(office, "/api/v1/key-tasks", _body(user, today, **extra))
        assert r.status_code == 422, (extra, r.content)
        assert r.json()["detail"] and r.json().get("field") == field, (extra, r.json())
    assert not KeyTask.objects.filter(title="围绕乡村振兴开展专题协商").exists()


def test_who_may(api_for, user, today, make_task):
    t = make_task()
    # Only the 办公室 creates and edits; the 信息科 and the owner may not.
    assert _post(api_for("info"), "/api/v1/key-tasks", _body(user, today)).status_code == 403
    r = api_for("staff").patch(
        f"/api/v1/key-tasks/{t.pk}", {"title": "改名"}, content_type="application/json"
    )
    assert r.status_code == 403
    # Reporting: the owner and the office; another staff member may read but not report.
    r = _post(api_for("info"), f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 10, "note": "x"})
    assert r.status_code == 403
    r = _post(api_for("office"), f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 10, "note": "代报"})
    assert r.status_code == 200
    # Members do not see the internal list.
    m = api_for("member1")
    assert m.get(f"/api/v1/key-tasks/{t.pk}").status_code == 404
    assert _post(m, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 50, "note": "x"}).status_code == 404
    assert m.get("/api/v1/key-tasks").json()["count"] == 0
    assert _post(m, "/api/v1/key-tasks", _body(user, today)).status_code == 403


def test_another_county_sees_nothing(api_for, make_task, today):
    t = make_task()
    other = api_for("other")
    assert other.get(f"/api/v1/key-tasks/{t.pk}").status_code == 404
    r = _post(other, f"/api/v1/key-tasks/{t.pk}/progress", {"percent": 50, "note": "x"})
    assert r.status_code == 404 and r.json()["detail"]
    r = other.patch(f"/api/v1/key-tasks/{t.pk}", {"title": "x"}, content_type="application/json")
    assert r.status_code == 404
    assert t.pk not in [i["id"] for i in other.get(f"/api/v1/key-tasks?year={today.year}").json()["items"]]
    assert KeyTask.objects.get(pk=t.pk).percent == 0
    # The city above reads its counties.
    assert api_for("citystaff").get(f"/api/v1/key-tasks/{t.pk}").status_code == 200


def test_patch_keeps_milestones_by_id(api_for, make_task, today):
    t = make_task(milestones=[{"title": "节点一", "due_on": today}])
    m = t.milestones.get()
    office = api_for("office")
    r = office.patch(
        f"/api/v1/key-tasks/{t.pk}",
        {
            "title": "新名称",
            "milestones": [
                {"id": m.pk, "title": "节点一（改）", "due_on": str(today)},
                {"title": "节点二", "due_on": str(today + datetime.timedelta(days=10))},
            ],
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["title"] == "新名称"
    assert [x["title"] for x in r.json()["milestones"]] == ["节点一（改）", "节点二"]
    assert r.json()["milestones"][0]["id"] == m.pk


def test_board_and_yearly_sentence(api_for, make_task, county, today):
    from zhengxie.keytasks import selectors

    before = selectors.year_figures(county, today.year)
    make_task(category="新类别甲")
    done = make_task(category="新类别甲", title="另一项")
    from zhengxie.core.models import User
    from zhengxie.keytasks import services

    services.report(User.objects.get(username="staff"), done, percent=100, note="完成")
    f = selectors.year_figures(county, today.year)
    assert f["categories"] == before["categories"] + 1
    assert f["total"] == before["total"] + 2 and f["done"] == before["done"] + 1
    assert f["sentence"] == f"重点工作{f['categories']}类{f['total']}项，完成{f['done']}项"
    r = api_for("leader").get(f"/api/v1/key-tasks/board?year={today.year}")
    assert r.status_code == 200 and r.json()["sentence"] == f["sentence"]
    row = next(c for c in r.json()["categories"] if c["name"] == "新类别甲")
    assert row["total"] == 2 and row["done"] == 1
    assert api_for("member1").get("/api/v1/key-tasks/board").status_code == 404


def test_api_list_and_board_query_counts_are_constant(api_for, make_task, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = api_for("leader")

    def counts():
        out = []
        for url in (f"/api/v1/key-tasks?year={today.year}", f"/api/v1/key-tasks/board?year={today.year}"):
            with CaptureQueriesContext(connection) as q:
                assert c.get(url).status_code == 200
            out.append(len(q))
        return out

    for i in range(10):
        make_task(title=f"任务{i}", category=f"类{i % 3}")
    few = counts()
    for i in range(50):
        make_task(title=f"更多任务{i}", category=f"类{i % 7}")
    assert counts() == few


def test_numbers_follow_on_in_the_year(make_task, county, today):
    a = make_task(title="甲")
    b = make_task(title="乙")
    assert b.number == a.number + 1
    KeyTask.objects.filter(pk=b.pk).update(number=b.number + 5)  # a number given otherwise
    assert make_task(title="丙").number == b.number + 6


def test_progress_with_evidence_upload(api_for, make_task, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    t = make_task(milestones=[{"title": "调研", "due_on": today}])
    m = t.milestones.get()
    staff = api_for("staff")
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    r = staff.post(
        f"/api/v1/key-tasks/{t.pk}/progress/upload",
        {"percent": "60", "note": "调研报告已形成", "milestones_done": str(m.pk), "evidence": pdf},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["percent"] == 60 and body["reports"][0]["evidence"].startswith("/files/")
    assert body["milestones"][0]["done_on"] == str(today)
    bad = SimpleUploadedFile("x.pdf", b"nope", content_type="application/pdf")
    r = staff.post(
        f"/api/v1/key-tasks/{t.pk}/progress/upload", {"percent": "70", "note": "x", "evidence": bad}
    )
    assert r.status_code == 422 and "文件" in r.json()["detail"]
    other = api_for("other").post(f"/api/v1/key-tasks/{t.pk}/progress/upload", {"percent": "70", "note": "x"})
    assert other.status_code == 404
