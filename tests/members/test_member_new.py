"""Adding one member by hand: the page (organisation first, then the form), the service that creates the
member and their account in one go, and bad input answered in Chinese with what was typed kept."""

import pytest
from django.test import Client

from zhengxie.core.errors import Forbidden, Invalid
from zhengxie.core.models import AuditEntry, Notification, Role, User
from zhengxie.members import services
from zhengxie.members.models import Member

from .conftest import id_number

URL = "/manage/members/new/"


def _form(world, **overrides):
    data = {
        "name": "赵新委",
        "gender": "F",
        "ethnicity": "回族",
        "birth_date": "",
        "party": world.party.pk,
        "sector": world.sector.pk,
        "committees": [world.committee.pk],
        "liaison_group": world.town.pk,
        "position": "委员",
        "is_standing": "on",
        "employer": "青川县第二中学",
        "job_title": "校长",
        "education": "硕士研究生",
        "phone": "13600000001",
        "id_number": id_number(61, "19760415"),
        "address": "青川县人民路8号",
        "code": "Q9001",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _password(body: str) -> str:
    return body.split('id="shown-password">')[1].split("<")[0]


def test_roster_links_to_the_page_and_the_organisation_is_chosen_first(world, client_for):
    c = client_for("admin")
    assert 'href="/manage/members/new/"' in c.get("/manage/members/").content.decode()
    body = c.get(f"/manage/members/?organisation={world.county.pk}").content.decode()
    assert f'href="/manage/members/new/?organisation={world.county.pk}"' in body
    # The city-level administrator sees three committees: the page asks which one first.
    body = c.get(URL).content.decode()
    assert 'id="choose-organisation"' in body and "青川县政协" in body and "石门区政协" in body
    assert "城关镇政协联络组" not in body
    # The city committee has no sectors yet: it is marked, and a county with sectors comes first.
    assert "江州市政协（尚未设置界别）" in body and f'<option value="{world.county.pk}" selected>' in body
    assert 'id="no-sectors"' in c.get(URL, {"organisation": world.city.pk}).content.decode()
    body = c.get(URL, {"organisation": world.county.pk}).content.decode()
    assert 'id="member-organisation">青川县政协<' in body and 'id="no-sectors"' not in body
    # Only the chosen committee's sectors, committees and liaison groups are offered.
    assert world.sector.name in body and "城关镇政协联络组" in body and world.sector2.pk != world.sector.pk
    assert f'value="{world.sector2.pk}"' not in body.split('name="sector"')[1].split("</select>")[0]
    # A liaison group is not a committee; staff may not add members.
    assert c.get(URL, {"organisation": world.town.pk}).status_code == 404
    assert client_for("staff").get(URL).status_code == 404
    assert "btn-add-member" not in client_for("staff").get("/manage/members/").content.decode()


def test_admin_adds_a_member_who_logs_in_by_phone_and_must_change_the_password(world, client_for):
    c = client_for("admin")
    r = c.post(f"{URL}?organisation={world.county.pk}", _form(world))
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    body = r.content.decode()
    password = _password(body)
    assert "委员已添加" in body and "只显示这一次" in body and 'id="shown-username">13600000001<' in body

    m = Member.objects.select_related("user").get(phone="13600000001")
    assert (m.name, m.gender, m.ethnicity, m.organisation, m.term, m.sector, m.liaison_group) == (
        "赵新委",
        "F",
        "回族",
        world.county,
        world.term,
        world.sector,
        world.town,
    )
    assert m.is_standing and m.party == world.party and list(m.committees.all()) == [world.committee]
    assert (m.employer, m.job_title, m.education, m.code) == ("青川县第二中学", "校长", "硕士研究生", "Q9001")
    assert m.id_number == id_number(61, "19760415") and m.address == "青川县人民路8号"
    assert m.birth_date.isoformat() == "1976-04-15"  # read from the ID number
    account = m.user
    assert account.username == "13600000001" and account.phone == "13600000001" and account.name == "赵新委"
    assert account.role_codes == {Role.MEMBER} and account.organisation == world.county
    assert account.check_password(password) and len(password) >= 12
    assert password not in c.get(f"/manage/members/{m.pk}/").content.decode()  # shown once

    login = Client()
    login.post("/accounts/login/", {"username": "13600000001", "password": password})
    assert login.get("/").url == "/accounts/password/"  # the initial password must be changed

    entry = AuditEntry.objects.filter(action="members.member_create").latest("id")
    assert entry.actor.username == "admin" and entry.target_id == str(m.pk)
    assert entry.organisation_id == world.county.pk
    assert entry.after["username"] == "13600000001" and entry.after["phone"] == "136****0001"
    assert entry.after["id_number"] == "（已填写）" and entry.after["committees"] == world.committee.name
    assert "19760415" not in str(entry.after) and "人民路" not in str(entry.after)
    assert Notification.objects.filter(user=account, title="您的委员账号已开通").exists()


def test_bad_input_is_answered_in_chinese_and_keeps_what_was_typed(world, client_for):
    c = client_for("admin")
    url = f"{URL}?organisation={world.county.pk}"
    good_id = id_number(62)
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    members_before, users_before = Member.objects.count(), User.objects.count()

    body = c.post(
        url, _form(world, name="钱错误", phone="1360000", id_number=bad_id, gender="")
    ).content.decode()
    assert "手机号须为 11 位数字" in body and "身份证号校验码不正确" in body and "此项为必填项" in body
    assert 'value="钱错误"' in body and 'value="1360000"' in body and f'value="{bad_id}"' in body
    assert 'value="青川县第二中学"' in body

    body = c.post(url, _form(world, name="钱错误", id_number="5108121980")).content.decode()
    assert "身份证号须为 18 位" in body

    # A number that already has an account (the service's check) is refused at the phone field.
    body = c.post(url, _form(world, name="钱重复", phone=world.member2.phone)).content.decode()
    assert f"手机号 {world.member2.phone} 已被其他账号使用" in body and 'value="钱重复"' in body
    # A login name someone already uses counts too.
    User.objects.filter(username="handler1").update(username="13600000002")
    body = c.post(url, _form(world, name="钱重复", phone="13600000002")).content.decode()
    assert "已被其他账号使用" in body

    # The other county's sector is not a choice here.
    body = c.post(url, _form(world, sector=world.sector2.pk)).content.decode()
    assert "请选择有效的选项" in body
    assert Member.objects.count() == members_before and User.objects.count() == users_before
    assert not AuditEntry.objects.filter(action="members.member_create").exists()


def test_service_checks_permission_and_the_committees_lists(world, user):
    data = {"name": "孙服务", "gender": "M", "sector": world.sector, "phone": "13600000011"}
    with pytest.raises(Forbidden):
        services.member_create(user=user("staff"), organisation=world.county, data=data)
    admin = user("admin")
    with pytest.raises(Invalid, match="乡镇联络组"):
        services.member_create(user=admin, organisation=world.town, data=data)
    with pytest.raises(Invalid, match="界别") as exc:
        services.member_create(user=admin, organisation=world.county, data={**data, "sector": world.sector2})
    assert exc.value.field == "sector"
    with pytest.raises(Invalid, match="联络组"):
        services.member_create(
            user=admin,
            organisation=world.county2,
            data={**data, "sector": world.sector2, "liaison_group": world.town},
        )
    from zhengxie.members.models import SpecialCommittee

    other_committee = SpecialCommittee.objects.create(organisation=world.county2, name="石门提案委")
    with pytest.raises(Invalid, match="专委会"):
        services.member_create(user=admin, organisation=world.county, data=data, committees=[other_committee])
    with pytest.raises(Invalid, match="手机号"):
        services.member_create(user=admin, organisation=world.county, data={**data, "phone": ""})
    good = id_number(3)
    with pytest.raises(Invalid, match="校验码"):
        services.member_create(
            user=admin,
            organisation=world.county,
            data={**data, "id_number": good[:17] + ("0" if good[17] != "0" else "1")},
        )
    assert not Member.objects.filter(name="孙服务").exists()

    member, password = services.member_create(
        user=admin,
        organisation=world.county2,
        data={**data, "sector": world.sector2, "id_number": "", "birth_date": None},
    )
    assert member.term == world.term2 and member.birth_date is None and member.ethnicity == "汉族"
    assert member.user.password_changed_at.year == 2000  # the expiry middleware asks for a new password
    assert member.user.check_password(password)
    # The same number cannot be given twice.
    with pytest.raises(Invalid, match="已被其他账号使用"):
        services.member_create(user=admin, organisation=world.county, data=data)
