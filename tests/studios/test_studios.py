"""Studios: the office creates and edits them (input kept on error), figures per studio and for the year
(with other apps' columns), QR posters, and nothing across counties (404)."""

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhengxie.studios import figures, services
from zhengxie.studios.models import Booking, DutySlot, ServiceRecord, Studio

YEAR = timezone.localdate().year


def test_office_creates_a_studio_with_members_and_they_are_told(client_for, user):
    m2, m3 = user("member2").member, user("member3").member
    c = client_for("office")
    r = c.post(
        reverse("studios:create"),
        {
            "name": "桃源乡委员工作室",
            "place": "桃源乡政府一楼",
            "opening_hours": "每周一上午",
            "members": [m2.pk, m3.pk],
            "active": "on",
        },
    )
    assert r.status_code == 302
    s = Studio.objects.get(name="桃源乡委员工作室")
    assert set(s.members.values_list("pk", flat=True)) == {m2.pk, m3.pk}
    assert s.organisation_id == user("office").organisation_id
    assert m3.user.notifications.filter(title__contains="桃源乡委员工作室").exists()
    from zhengxie.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="studios.studio_create", target_id=str(s.pk)).exists()


def test_studio_form_keeps_input_and_refuses_a_duplicate_name(client_for, studio):
    c = client_for("office")
    r = c.post(reverse("studios:create"), {"name": studio.name, "place": "某地点XYZ"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "本级已有同名的委员工作室" in html and "某地点XYZ" in html
    r = c.post(reverse("studios:create"), {"name": "", "place": "某地点XYZ"})
    assert r.status_code == 422 and "请填写工作室名称" in r.content.decode()


def test_office_edits_a_studio_and_others_may_not(client_for, studio):
    url = reverse("studios:edit", args=[studio.pk])
    members = list(studio.members.values_list("pk", flat=True))
    r = client_for("office").post(
        url, {"name": studio.name, "place": "新地点", "members": members, "active": "on"}
    )
    assert r.status_code == 302
    studio.refresh_from_db()
    assert studio.place == "新地点"
    assert client_for("staff").get(url).status_code == 404  # 提案委 staff read, the 办公室 edits
    assert client_for("member1").get(url).status_code == 404


def test_list_shows_figures_and_the_year_sentence_with_constant_queries(
    client_for, django_assert_max_num_queries
):
    c = client_for("office")
    url = reverse("studios:list")
    c.get(url)
    with django_assert_max_num_queries(25) as before:
        html = c.get(url).content.decode()
    assert "委员工作室" in html and "接待群众" in html and "委员线上值班" in html
    org = Studio.objects.filter(name="城关镇委员工作室").first().organisation
    for i in range(5):
        Studio.objects.create(organisation=org, name=f"新增工作室{i}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert c.get(url).status_code == 200


def test_year_figures_count_studios_people_and_duty_days(user, offer):
    org = user("office").organisation
    ids = figures.organisation_ids(org)
    before = figures.year_figures(ids, YEAR)
    m1 = user("member1")
    b = services.booking_create(offer=offer, name="赵女士", phone="13700002222", consent=True)
    services.booking_accept(user=m1, booking=b)
    services.booking_record(
        user=m1, booking=b, served_on=timezone.localdate(), summary="服务", people_served=3
    )
    slot = DutySlot.objects.get(member=m1.member, day=timezone.localdate())
    services.duty_done(user=m1, slot=slot)
    Studio.objects.create(organisation=org, name="再建一个工作室")
    after = figures.year_figures(ids, YEAR)
    assert after["studios"] == before["studios"] + 1
    assert after["people"] == before["people"] + 3
    assert after["duty_days"] == before["duty_days"] + (1 if slot.day.year == YEAR else 0)
    assert (
        after["sentence"]
        == f"委员工作室{after['studios']}个，接待群众{after['people']}人次；委员线上值班{after['duty_days']}天"
    )
    # Consistent with the rows: people = the year's live service records.
    assert after["people"] == sum(
        ServiceRecord.objects.filter(
            organisation_id__in=ids, served_on__year=YEAR, withdrawn=False
        ).values_list("people_served", flat=True)
    )


def test_other_apps_add_columns_to_the_studio_figures(studio):
    @figures.studio_figure_provider
    def messages(studio_ids, year):
        return {"columns": [("messages", "群众留言")], "values": {i: {"messages": 7} for i in studio_ids}}

    try:
        columns, values = figures.studio_figures([studio.pk], YEAR)
    finally:
        figures.STUDIO_FIGURE_PROVIDERS.remove(messages)
    assert ("messages", "群众留言") in columns and values[studio.pk]["messages"] == 7
    assert (
        values[studio.pk]["duty_days"]
        == DutySlot.objects.filter(studio=studio, day__year=YEAR, status="done").count()
    )


def test_posters_for_a_studio_and_for_the_organisation(client_for, studio):
    c = client_for("office")
    pdf = c.get(reverse("studios:poster", args=[studio.pk, "pdf"]))
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    png = c.get(reverse("studios:poster", args=[studio.pk, "png"]))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    org = c.get(reverse("studios:organisation_poster", args=["pdf"]))
    assert org.status_code == 200 and org.content.startswith(b"%PDF")
    assert c.get(reverse("studios:poster", args=[studio.pk, "gif"])).status_code == 404
    assert client_for("member1").get(reverse("studios:organisation_poster", args=["pdf"])).status_code == 404


def test_another_countys_staff_and_members_see_nothing(
    client_for, api_for, studio, offer, other_county_office
):
    b = Booking.objects.filter(offer=offer).first()
    slot = DutySlot.objects.filter(studio=studio).first()
    c = Client()
    c.force_login(other_county_office)
    for url in (
        reverse("studios:detail", args=[studio.pk]),
        reverse("studios:edit", args=[studio.pk]),
        reverse("studios:rota", args=[studio.pk]),
        reverse("studios:poster", args=[studio.pk, "pdf"]),
        reverse("studios:booking", args=[b.pk]),
    ):
        assert c.get(url).status_code == 404, url
    assert (
        c.post(reverse("studios:duty_action", args=[slot.pk, "absent"]), {"reason": "x"}).status_code == 404
    )
    assert (
        c.post(reverse("studios:booking_action", args=[b.pk, "decline"]), {"reason": "x"}).status_code == 404
    )
    listing = c.get(reverse("studios:list")).content.decode()
    assert studio.name not in listing
    bookings = c.get(reverse("studios:bookings")).content.decode()
    assert reverse("studios:booking", args=[b.pk]) not in bookings
    other = api_for("other")
    assert other.get(f"/api/v1/bookings/{b.pk}").status_code == 404
    assert (
        other.post(f"/api/v1/bookings/{b.pk}/accept", {}, content_type="application/json").status_code == 404
    )
    assert other.post(f"/api/v1/duties/{slot.pk}/done").status_code == 404
    assert client_for("other").get(reverse("studios:detail", args=[studio.pk])).status_code == 404


def test_the_scheduler_job_is_registered_and_runs(db):
    from zhengxie.core.scheduler import JOBS
    from zhengxie.studios import jobs  # noqa: F401

    assert "studios.close_past_duties" in JOBS
    assert "个值班日" in JOBS["studios.close_past_duties"].func()


def test_a_member_may_not_mark_another_members_day(user, studio):
    import pytest

    from zhengxie.core.errors import NotFound

    slot = DutySlot.objects.filter(studio=studio, day=timezone.localdate()).first()
    assert slot.member_id != user("member2").member.pk
    with pytest.raises(NotFound):
        services.duty_done(user=user("member2"), slot=slot)
    slot.refresh_from_db()
    assert slot.status == "planned"


def test_figures_export_as_xlsx(client_for, studio):
    import io

    from openpyxl import load_workbook

    r = client_for("office").get(reverse("studios:figures_export") + f"?year={YEAR}")
    assert r.status_code == 200 and r.content.startswith(b"PK")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "工作室" and "值班天数" in rows[0]
    assert studio.name in [row[0] for row in rows]
    assert any(str(row[0]).startswith(f"{YEAR}年：委员工作室") for row in rows if row and row[0])
    assert client_for("member1").get(reverse("studios:figures_export")).status_code == 404


def test_a_member_taken_off_a_studio_loses_coming_duty_days_only(user, studio):
    m1 = user("member1").member
    today = timezone.localdate()
    coming = DutySlot.objects.filter(studio=studio, member=m1, day__gt=today, status="planned").count()
    past = DutySlot.objects.filter(studio=studio, member=m1, day__lt=today).count()
    assert coming and past
    keep = [pk for pk in studio.members.values_list("pk", flat=True) if pk != m1.pk]
    services.studio_update(user=user("office"), studio=studio, member_ids=keep)
    assert not DutySlot.objects.filter(studio=studio, member=m1, day__gt=today, status="planned").exists()
    assert DutySlot.objects.filter(studio=studio, member=m1, day__lt=today).count() == past
