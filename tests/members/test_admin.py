"""What the system and security administrators do through the pages, and the audit trail it leaves."""

import datetime

from django.test import Client

from zhengxie.core import orgsettings
from zhengxie.core.models import AuditEntry, HandlingUnit, Organisation, Role, User
from zhengxie.members.models import Member, Party, Sector, Session, Term


def _last(action):
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


# --- organisations ------------------------------------------------------------------------------


def test_admin_adds_a_liaison_group_edits_and_deactivates_it(world, client_for):
    c = client_for("admin")
    r = c.post(
        f"/manage/orgs/{world.county.pk}/add/",
        {"name": "新城镇政协联络组", "short_name": "新城镇", "kind": "liaison"},
    )
    assert r.status_code == 302
    town = Organisation.objects.get(name="新城镇政协联络组")
    assert town.get_parent() == world.county and town.kind == "liaison" and town.code
    assert "新城镇政协联络组" in c.get("/manage/orgs/").content.decode()
    assert _last("members.organisation_create").target_id == str(town.pk)

    r = c.post(
        f"/manage/orgs/{town.pk}/edit/", {"name": "新城镇联络组", "short_name": "新城镇", "code": town.code}
    )
    assert r.status_code == 302
    town.refresh_from_db()
    assert town.name == "新城镇联络组"
    entry = _last("members.organisation_update")
    assert entry.before == {"name": "新城镇政协联络组"} and entry.after == {"name": "新城镇联络组"}

    c.post(f"/manage/orgs/{town.pk}/active/", {"active": "0"})
    town.refresh_from_db()
    assert not town.is_active and _last("members.organisation_deactivate").target_id == str(town.pk)


def test_organisation_form_errors_are_chinese_and_keep_input(world, client_for):
    c = client_for("admin")
    r = c.post(
        f"/manage/orgs/{world.county.pk}/add/", {"name": "", "short_name": "留着我", "kind": "liaison"}
    )
    body = r.content.decode()
    assert r.status_code == 200 and "此项为必填项" in body and 'value="留着我"' in body
    r = c.post(
        f"/manage/orgs/{world.county.pk}/add/", {"name": "重码镇", "kind": "liaison", "code": "demo-city"}
    )
    body = r.content.decode()
    assert "已被其他组织使用" in body and 'value="重码镇"' in body
    # A county only takes liaison groups; a liaison group takes nothing.
    r = c.post(f"/manage/orgs/{world.county.pk}/add/", {"name": "某县", "kind": "county"})
    assert "请选择有效的选项" in r.content.decode()
    r = c.get(f"/manage/orgs/{world.town.pk}/add/", follow=True)
    assert "不能再设下级组织" in r.content.decode()


def test_a_county_with_active_groups_cannot_be_deactivated(world, client_for):
    r = client_for("admin").post(f"/manage/orgs/{world.county.pk}/active/", {"active": "0"}, follow=True)
    assert "请先停用其下级组织" in r.content.decode()
    world.county.refresh_from_db()
    assert world.county.is_active


def test_settings_page_lists_every_default_and_saves_typed_overrides(world, client_for):
    orgsettings.register("members.test_bool", False, "测试开关")
    orgsettings.register("members.test_list", ["A", "B"], "测试列表")
    try:
        c = client_for("admin")
        page = c.get(f"/manage/orgs/{world.county.pk}/settings/").content.decode()
        for key, (_default, label) in orgsettings.DEFAULTS.items():
            assert key in page and label in page
        data = {key: "" for key in orgsettings.DEFAULTS}
        data.update(
            {"session_timeout_minutes": "abc", "members.test_list": '{"x": 1}', "members.test_bool": "true"}
        )
        r = c.post(f"/manage/orgs/{world.county.pk}/settings/", data)
        body = r.content.decode()
        assert "会话超时(分钟)：须为整数" in body and "须为 JSON 列表" in body
        assert 'value="abc"' in body  # the input is kept
        world.county.refresh_from_db()
        assert world.county.settings == {}  # nothing saved
        data.update({"session_timeout_minutes": "45", "members.test_list": '["甲", "乙"]'})
        r = c.post(f"/manage/orgs/{world.county.pk}/settings/", data)
        assert r.status_code == 302
        world.county.refresh_from_db()
        assert orgsettings.get(world.county, "session_timeout_minutes") == 45
        assert orgsettings.get(world.county, "members.test_list") == ["甲", "乙"]
        assert orgsettings.get(world.county, "members.test_bool") is True
        assert orgsettings.get(world.town, "session_timeout_minutes") == 45  # a group inherits
        entry = _last("members.organisation_settings")
        assert entry.after["session_timeout_minutes"] == 45 and entry.organisation_id == world.county.pk
        # Clearing a field removes the override.
        data["session_timeout_minutes"] = ""
        c.post(f"/manage/orgs/{world.county.pk}/settings/", data)
        world.county.refresh_from_db()
        assert "session_timeout_minutes" not in world.county.settings
    finally:
        orgsettings.DEFAULTS.pop("members.test_bool", None)
        orgsettings.DEFAULTS.pop("members.test_list", None)


# --- terms and sessions ---------------------------------------------------------------------------


def test_new_term_made_current_switches_atomically(world, client_for):
    c = client_for("admin")
    r = c.post(
        "/manage/terms/new/",
        {"organisation": world.county.pk, "number": 15, "name": "第十五届", "start_date": "2027-01-10"},
    )
    assert r.status_code == 302
    term15 = Term.objects.get(organisation=world.county, number=15)
    assert not term15.is_current
    c.post(f"/manage/terms/{term15.pk}/current/")
    assert list(Term.objects.filter(organisation=world.county, is_current=True)) == [term15]
    # The old term's current session stops being current: proposals must not be numbered in it.
    assert not Session.objects.filter(organisation=world.county, is_current=True).exists()
    # The other county's current term is untouched.
    assert Term.objects.get(pk=world.term2.pk).is_current
    entry = _last("members.term_make_current")
    assert entry.before == {"current": "第十四届"} and entry.after == {"current": "第十五届"}

    r = c.post(
        f"/manage/terms/{term15.pk}/sessions/new/",
        {
            "number": 1,
            "name": "第十五届第一次会议",
            "year": 2027,
            "start_date": "2027-01-10",
            "end_date": "2027-01-13",
        },
    )
    assert r.status_code == 302
    s1 = Session.objects.get(term=term15, number=1)
    c.post(f"/manage/sessions/{s1.pk}/current/")
    assert list(Session.objects.filter(organisation=world.county, is_current=True)) == [s1]


def test_making_an_old_session_current_brings_its_term_back(world, client_for):
    c = client_for("admin")
    term15 = Term.objects.create(
        organisation=world.county, number=15, name="第十五届", start_date=datetime.date(2027, 1, 1)
    )
    c.post(f"/manage/terms/{term15.pk}/current/")
    c.post(f"/manage/sessions/{world.session.pk}/current/")
    assert Term.objects.get(organisation=world.county, is_current=True) == world.term
    assert Session.objects.get(organisation=world.county, is_current=True) == world.session


def test_term_form_validation(world, client_for):
    c = client_for("admin")
    r = c.post(
        "/manage/terms/new/",
        {"organisation": world.county.pk, "number": 14, "name": "又一个十四届", "start_date": "2027-01-10"},
    )
    body = r.content.decode()
    assert "已有第14届" in body and 'value="又一个十四届"' in body
    r = c.post(
        f"/manage/sessions/{world.session.pk}/edit/",
        {
            "number": world.session.number,
            "name": world.session.name,
            "year": 2026,
            "start_date": "2026-01-10",
            "end_date": "2026-01-01",
        },
    )
    assert "大会结束不能早于大会开始" in r.content.decode()


# --- sectors, committees, parties -----------------------------------------------------------------


def test_sector_create_edit_and_order(world, client_for):
    c = client_for("admin")
    r = c.post("/manage/sectors/new/", {"organisation": world.county.pk, "name": "新的界别"})
    assert r.status_code == 302
    new = Sector.objects.get(organisation=world.county, name="新的界别")
    names = list(
        Sector.objects.filter(organisation=world.county)
        .order_by("order", "id")
        .values_list("name", flat=True)
    )
    assert names[-1] == "新的界别"
    c.post(f"/manage/sectors/{new.pk}/move/", {"direction": "up"})
    names = list(
        Sector.objects.filter(organisation=world.county)
        .order_by("order", "id")
        .values_list("name", flat=True)
    )
    assert names[-2] == "新的界别"
    page = c.get("/manage/sectors/").content.decode()
    assert page.index("新的界别") < page.index(names[-1])
    r = c.post(f"/manage/sectors/{new.pk}/edit/", {"name": "教育界", "order": 5})
    assert "已有名为“教育界”的界别" in r.content.decode()
    c.post(f"/manage/sectors/{new.pk}/edit/", {"name": "特邀界", "order": ""})
    new.refresh_from_db()
    assert new.name == "特邀界"
    actions = set(
        AuditEntry.objects.filter(target_id=str(new.pk), action__startswith="members.sector_").values_list(
            "action", flat=True
        )
    )
    assert actions == {"members.sector_create", "members.sector_move", "members.sector_update"}


def test_same_sector_name_is_fine_in_another_county(world, client_for):
    r = client_for("admin").post("/manage/sectors/new/", {"organisation": world.county2.pk, "name": "教育界"})
    assert r.status_code == 302


def test_committee_and_party_pages(world, client_for):
    c = client_for("admin")
    c.post("/manage/committees/new/", {"organisation": world.county.pk, "name": "港澳台侨委员会"})
    assert "港澳台侨委员会" in c.get("/manage/committees/").content.decode()
    c.post("/manage/parties/new/", {"name": "测试党派", "short_name": "测试"})
    party = Party.objects.get(name="测试党派")
    assert party.order > Party.objects.exclude(pk=party.pk).order_by("-order").first().order
    assert _last("members.party_create").target_id == str(party.pk)


# --- handling units and handlers -----------------------------------------------------------------


def test_admin_creates_a_handling_unit_through_the_page(world, client_for, api_for):
    c = client_for("admin")
    r = c.post(
        "/manage/units/new/",
        {
            "organisation": world.county.pk,
            "name": "县大数据中心",
            "short_name": "大数据中心",
            "kind": "government",
            "leader_name": "赵局长",
            "phone": "0800-1234",
        },
    )
    unit = HandlingUnit.objects.get(name="县大数据中心")
    assert r.status_code == 302 and r.url == f"/manage/units/{unit.pk}/"
    assert unit.organisation == world.county and unit.is_active and unit.leader_name == "赵局长"
    assert "县大数据中心" in c.get("/manage/units/?q=大数据").content.decode()
    entry = _last("members.unit_create")
    assert entry.target_id == str(unit.pk) and entry.after["name"] == "县大数据中心"
    assert entry.organisation_id == world.county.pk
    # The county's users now find it in the API; the other county's do not.
    assert api_for("staff").get("/api/v1/units", {"q": "大数据"}).json()["count"] == 1
    assert api_for("other").get("/api/v1/units", {"q": "大数据"}).json()["count"] == 0


def test_unit_name_must_be_unique_in_the_committee(world, client_for):
    r = client_for("admin").post(
        "/manage/units/new/", {"organisation": world.county.pk, "name": "县教育局", "kind": "government"}
    )
    body = r.content.decode()
    assert "已有承办单位“县教育局”" in body and 'value="县教育局"' in body


def test_units_list_search_and_pagination(world, client_for):
    c = client_for("admin")
    page = c.get("/manage/units/").content.decode()
    # 青川县's 40, 石门区's 12 and 临江县's units, 20 a page
    assert f"共 {HandlingUnit.objects.count()} 条" in page and HandlingUnit.objects.count() > 52
    page = c.get("/manage/units/?q=教育").content.decode()
    assert "县教育局" in page and "县公安局" not in page


def test_handler_added_on_the_unit_page_can_log_in_and_must_change_password(world, client_for):
    c = client_for("admin")
    r = c.post(
        f"/manage/units/{world.unit.pk}/",
        {"role": "unit_handler", "username": "newhandler", "name": "新经办人", "phone": "13800000077"},
    )
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    body = r.content.decode()
    password = body.split('id="shown-password">')[1].split("<")[0]
    assert "只显示这一次" in body
    account = User.objects.get(username="newhandler")
    assert account.handling_unit == world.unit and account.organisation == world.county
    assert account.role_codes == {Role.UNIT_HANDLER}
    assert account.check_password(password)
    assert password not in c.get(f"/manage/units/{world.unit.pk}/").content.decode()  # shown once
    login = Client()
    login.post("/accounts/login/", {"username": "13800000077", "password": password})
    assert login.get("/").url == "/accounts/password/"  # the initial password must be changed
    assert _last("members.user_create").after["handling_unit"] == "县教育局"

    r = c.post(f"/manage/units/{world.unit.pk}/handlers/{account.pk}/remove/")
    account.refresh_from_db()
    assert r.status_code == 302 and not account.is_active
    assert _last("members.unit_handler_remove").target_id == str(account.pk)


def test_handler_form_errors(world, client_for):
    c = client_for("admin")
    r = c.post(
        f"/manage/units/{world.unit.pk}/",
        {"role": "unit_head", "username": "handler1", "name": "重名", "phone": "139"},
    )
    body = r.content.decode()
    assert "用户名“handler1”已被使用" in body and 'value="重名"' in body


def test_deactivated_unit_takes_no_new_accounts(world, client_for):
    c = client_for("admin")
    c.post(f"/manage/units/{world.unit.pk}/active/", {"active": "0"})
    world.unit.refresh_from_db()
    assert not world.unit.is_active
    r = c.post(
        f"/manage/units/{world.unit.pk}/", {"role": "unit_handler", "username": "late", "name": "迟到"}
    )
    assert "已停用" in r.content.decode() and not User.objects.filter(username="late").exists()


# --- users ----------------------------------------------------------------------------------------


def test_users_list_search_filter_and_masked_phones(world, client_for):
    c = client_for("admin")
    body = c.get("/manage/users/", {"q": "13900000011"}).content.decode()
    assert "孙伟" in body and "139****0011" in body and "13900000011</td>" not in body
    body = c.get("/manage/users/", {"role": "unit_head"}).content.decode()
    assert "吴国强" in body and "孙伟" not in body
    body = c.get("/manage/users/", {"q": "孙伟"}).content.decode()
    assert "handler1" in body


def test_admin_creates_a_staff_user_with_roles(world, client_for):
    c = client_for("admin")
    r = c.post(
        "/manage/users/new/",
        {
            "username": "newstaff",
            "name": "新同事",
            "organisation": world.county.pk,
            "roles": ["staff"],
            "office": "",
        },
    )
    assert "机关工作人员须选择所在科室" in r.content.decode()
    r = c.post(
        "/manage/users/new/",
        {
            "username": "newstaff",
            "name": "新同事",
            "organisation": world.county.pk,
            "roles": ["staff", "secadmin", "auditor"],
            "office": "information",
        },
    )
    assert "三员分立" in r.content.decode()
    r = c.post(
        "/manage/users/new/",
        {
            "username": "newstaff",
            "name": "新同事",
            "organisation": world.county.pk,
            "roles": ["staff"],
            "office": "information",
        },
    )
    assert r.status_code == 200 and "shown-password" in r.content.decode()
    account = User.objects.get(username="newstaff")
    assert account.role_codes == {"staff"} and account.office == "information"


def test_admin_edits_roles_and_the_user_is_told(world, client_for, user):
    c = client_for("admin")
    info = user("info")
    r = c.post(
        f"/manage/users/{info.pk}/edit/",
        {
            "name": "王建国",
            "organisation": world.county.pk,
            "roles": ["staff", "leader"],
            "office": "information",
            "title": info.title,
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    info = user("info")
    assert info.role_codes == {"staff", "leader"}
    entry = _last("members.user_update")
    assert entry.before == {"roles": ["staff"]} and entry.after == {"roles": ["leader", "staff"]}
    assert info.notifications.filter(title="您的角色已变更").exists()


def test_editing_a_member_account_keeps_the_member_role(world, client_for, user):
    c = client_for("admin")
    m1 = user("member1")
    c.post(
        f"/manage/users/{m1.pk}/edit/",
        {
            "name": m1.name,
            "phone": m1.phone,
            "organisation": world.county.pk,
            "roles": ["leader"],
            "is_active": "on",
        },
    )
    assert user("member1").role_codes == {"member", "leader"}


def test_admin_cannot_lock_themselves_out(world, client_for, user):
    admin = user("admin")
    r = client_for("admin").post(
        f"/manage/users/{admin.pk}/edit/",
        {
            "name": admin.name,
            "organisation": world.city.pk,
            "roles": ["staff"],
            "office": "general",
            "is_active": "on",
        },
    )
    assert "不能取消您自己的系统管理员角色" in r.content.decode()
    assert user("admin").has_role("sysadmin")


def _lock(username):
    c = Client()
    for _ in range(5):
        c.post("/accounts/login/", {"username": username, "password": "wrong"})
    r = c.post("/accounts/login/", {"username": username, "password": "Demo@2026"})
    return "已被临时锁定" in r.content.decode()


def test_secadmin_sees_and_unlocks_a_locked_account(world, client_for, user):
    assert _lock("handler2")
    c = client_for("secadmin")
    work = c.get("/").content.decode()
    assert "被锁定的账号" in work
    body = c.get("/manage/users/?locked=1").content.decode()
    assert "周敏" in body and "已锁定" in body and "孙伟" not in body
    handler2 = user("handler2")
    r = c.post(f"/manage/users/{handler2.pk}/unlock/", follow=True)
    assert "已解锁账号" in r.content.decode()
    assert (
        Client().post("/accounts/login/", {"username": "handler2", "password": "Demo@2026"}).status_code
        == 302
    )
    assert _last("members.user_unlock").actor.username == "secadmin"
    # The security administrator may not edit users or create them.
    assert c.get(f"/manage/users/{handler2.pk}/edit/").status_code == 404
    assert c.get("/manage/users/new/").status_code == 404


def test_secadmin_resets_a_password_shown_once(world, client_for, user):
    c = client_for("secadmin")
    target = user("member3")
    r = c.post(f"/manage/users/{target.pk}/reset-password/")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    password = r.content.decode().split('id="shown-password">')[1].split("<")[0]
    target.refresh_from_db()
    assert target.check_password(password) and not target.check_password("Demo@2026")
    entry = _last("members.user_reset_password")
    assert entry.actor.username == "secadmin" and password not in str(entry.before) + str(entry.after)


def test_locked_accounts_todo_is_hidden_when_none_are_locked(client_for):
    assert "被锁定的账号" not in client_for("admin").get("/").content.decode()


# --- members ---------------------------------------------------------------------------------------


def test_roster_filters_and_masking(world, client_for):
    c = client_for("staff")
    body = c.get("/manage/members/", {"liaison": world.town.pk}).content.decode()
    assert world.member2.name in body and world.member1.name not in body
    assert world.member2.masked_phone in body and world.member2.phone not in body
    body = c.get("/manage/members/", {"q": world.member1.name}).content.decode()
    assert world.member1.name in body and world.member2.name not in body
    committee = world.member1.committees.first()
    body = c.get("/manage/members/", {"committee": committee.pk}).content.decode()
    assert world.member1.name in body
    Member.objects.filter(pk=world.member1.pk).update(status="suspended")
    body = c.get("/manage/members/", {"status": "suspended"}).content.decode()
    assert world.member1.name in body and world.member2.name not in body


def test_id_number_on_detail_only_for_staff_and_admin(world, client_for):
    url = f"/manage/members/{world.member2.pk}/"
    for username in ["staff", "admin"]:
        body = client_for(username).get(url).content.decode()
        assert world.member2.id_number in body and world.member2.phone in body
    for username in ["leader", "liaison"]:
        body = client_for(username).get(url).content.decode()
        assert world.member2.id_number not in body and "身份证号" not in body
        assert world.member2.masked_phone in body


def test_admin_edits_a_member_and_the_account_follows(world, client_for):
    c = client_for("admin")
    m = world.member1
    data = {
        "name": "张明华",
        "gender": "M",
        "ethnicity": "回族",
        "sector": world.sector.pk,
        "committees": [world.committee.pk],
        "liaison_group": world.town.pk,
        "term": world.term.pk,
        "phone": "13700009999",
        "id_number": "123",
        "status": "active",
        "position": "委员",
    }
    r = c.post(f"/manage/members/{m.pk}/edit/", data)
    body = r.content.decode()
    assert "身份证号须为 18 位" in body and 'value="回族"' in body
    data["id_number"] = ""
    r = c.post(f"/manage/members/{m.pk}/edit/", data)
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.ethnicity == "回族" and m.phone == "13700009999" and m.user.phone == "13700009999"
    assert list(m.committees.all()) == [world.committee]
    entry = _last("members.member_update")
    assert entry.after["ethnicity"] == "回族" and "13700009999" not in str(entry.after)
    # Someone else's phone number is refused.
    data["phone"] = world.member2.phone
    assert "已被其他账号使用" in c.post(f"/manage/members/{m.pk}/edit/", data).content.decode()
