"""Roster import (all rows or nothing, with a row-by-row report), the template, and export."""

import io

import pytest
from openpyxl import load_workbook

from zhengxie.core.errors import Forbidden, Invalid
from zhengxie.core.models import AuditEntry, User
from zhengxie.members import services
from zhengxie.members.models import Member
from zhengxie.members.roster import COLUMNS, check_id_number

from .conftest import id_number, row, upload, xlsx


def _import(user, org, rows, **kw):
    return services.roster_import(user=user, organisation=org, upload=upload(xlsx(rows, **kw)))


def test_check_id_number():
    assert check_id_number(id_number(1)) == ""
    good = id_number(7)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验码" in check_id_number(wrong)
    assert "18 位" in check_id_number("51081219800101")
    assert "出生日期" in check_id_number(id_number(1, birth="19801345"))


def test_good_import_creates_accounts_and_members_in_one_go(world, user):
    admin = user("admin")
    rows = [
        row(
            name="王一",
            phone="13700000001",
            sector="教育界",
            committees="提案委员会、经济委员会",
            liaison="城关镇",
            id_no=id_number(1, "19750308"),
            is_standing="是",
            employer="县一中",
        ),
        row(
            name="李二",
            gender="女",
            phone="13700000002",
            sector="医药卫生界",
            committees="教科卫体委员会,经济委员会",
            liaison="清河镇政协联络组",
            party="无党派",
            birth_date="1980/2/3",
        ),
    ]
    before = Member.objects.count()
    result = _import(admin, world.county, rows)
    assert result.ok and result.total == 2 and len(result.created) == 2
    assert Member.objects.count() == before + 2
    wang = Member.objects.get(phone="13700000001")
    assert wang.organisation == world.county and wang.term == world.term and wang.is_standing
    assert sorted(c.name for c in wang.committees.all()) == ["提案委员会", "经济委员会"]
    assert wang.liaison_group == world.town and wang.birth_date.isoformat() == "1975-03-08"
    assert wang.id_number == id_number(1, "19750308") and wang.party.short_name == "民盟"
    li = Member.objects.get(phone="13700000002")
    assert li.gender == "F" and li.birth_date.isoformat() == "1980-02-03" and li.liaison_group == world.town2
    account = li.user
    assert account.has_role("member") and account.phone == "13700000002"
    # A random initial password, handed back once, that must be changed at the first login.
    assert [(n, u) for n, u, _ in result.passwords] == [("王一", "13700000001"), ("李二", "13700000002")]
    assert account.check_password(result.passwords[1][2]) and account.password_changed_at.year == 2000
    entry = AuditEntry.objects.filter(action="members.roster_import").latest("id")
    assert (
        entry.after["count"] == 2 and entry.organisation_id == world.county.pk and entry.actor_id == admin.pk
    )


def test_bad_rows_import_nothing_and_are_reported_row_by_row(world, user):
    taken = world.member1.phone
    rows = [
        row(name="好人", phone="13700000011"),  # row 2: fine
        row(name="", phone="13700000012"),  # row 3: no name
        row(name="性别错", gender="M", phone="13700000013"),  # row 4
        row(name="界别错", sector="火星界", phone="13700000014"),  # row 5
        row(name="专委会错", committees="提案委员会、不存在委员会", phone="13700000015"),  # row 6
        row(name="联络组错", liaison="不存在镇", phone="13700000016"),  # row 7
        row(name="电话短", phone="1370000"),  # row 8
        row(name="电话重复", phone="13700000011"),  # row 9: same as row 2
        row(name="电话已用", phone=taken),  # row 10
        row(name="身份证错", phone="13700000017", id_no="510812198001010000"),  # row 11
        row(name="身份证重复甲", phone="13700000018", id_no=id_number(5)),  # row 12
        row(name="身份证重复乙", phone="13700000019", id_no=id_number(5)),  # row 13
    ]
    members_before, users_before = Member.objects.count(), User.objects.count()
    result = _import(user("admin"), world.county, rows)
    assert not result.ok and result.created == []
    assert Member.objects.count() == members_before and User.objects.count() == users_before
    report = {(e.row, e.column) for e in result.errors}
    assert report == {
        (3, "姓名"),
        (4, "性别"),
        (5, "界别"),
        (6, "专委会"),
        (7, "乡镇联络组"),
        (8, "手机号"),
        (9, "手机号"),
        (10, "手机号"),
        (11, "身份证号"),
        (13, "身份证号"),
    }
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "与第 2 行手机号重复" in messages[(9, "手机号")]
    assert "已被系统中的账号使用" in messages[(10, "手机号")]
    assert "“火星界”" in messages[(5, "界别")]
    assert "“不存在委员会”" in messages[(6, "专委会")]
    assert "与第 12 行身份证号重复" in messages[(13, "身份证号")]
    assert not AuditEntry.objects.filter(action="members.roster_import").exists()


def test_missing_required_columns_are_reported(world, user):
    result = _import(user("admin"), world.county, [["张三", "男"]], header=["姓名", "性别"])
    assert {(e.row, e.column) for e in result.errors} == {(1, "界别"), (1, "手机号")}


def test_sector_must_belong_to_the_target_committee(world, user):
    # 石门区 has only the first eight sectors: 教育界 is 青川县's.
    result = _import(user("admin"), world.county2, [row(sector="教育界", phone="13700000021")])
    assert [(e.row, e.column) for e in result.errors] == [(2, "界别")]


def test_only_xlsx_files_are_accepted(world, user):
    with pytest.raises(Invalid, match="只接受"):
        services.roster_import(
            user=user("admin"), organisation=world.county, upload=upload(b"name,phone\n", "roster.xlsx")
        )
    with pytest.raises(Invalid, match="扩展名"):
        services.roster_import(
            user=user("admin"), organisation=world.county, upload=upload(xlsx([row()]), "roster.pdf")
        )


def test_only_the_system_administrator_may_import(world, user):
    with pytest.raises(Forbidden):
        _import(user("staff"), world.county, [row()])
    with pytest.raises(Invalid):
        # The other county is outside a county-level user's scope; the admin is city-level: a liaison
        # group is not a committee.
        _import(user("admin"), world.town, [row()])


def test_import_page_rejects_a_non_excel_file_with_a_chinese_message(world, client_for):
    r = client_for("admin").post(
        "/manage/members/import/",
        {"organisation": world.county.pk, "file": upload(b"%PDF-1.4 not a roster", "roster.pdf")},
    )
    assert r.status_code == 200 and "只接受 Excel(.xlsx)" in r.content.decode()


def test_template_has_the_header_row_and_the_allowed_values(world, client_for):
    r = client_for("admin").get("/manage/members/import/template/", {"organisation": world.county.pk})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    header = next(wb.worksheets[0].iter_rows(values_only=True))
    assert list(header) == [c.header for c in COLUMNS]
    notes = [r for r in wb["填写说明"].iter_rows(values_only=True)]
    allowed = {r[0]: [v for v in r[1:] if v] for r in notes if r and r[0] and r[0].endswith("可选值")}
    assert "教育界" in allowed["界别可选值"] and "提案委员会" in allowed["专委会可选值"]
    assert "城关镇政协联络组" in allowed["乡镇联络组可选值"] and "民盟" in allowed["党派可选值"]


def test_export_round_trip(world, user, client_for):
    """What was imported comes back out in the template's columns, and would import again as it is."""
    admin = user("admin")
    rows = [
        row(
            name="往返一",
            phone="13700000041",
            sector="教育界",
            committees="提案委员会、经济委员会",
            liaison="城关镇",
            id_no=id_number(41, "19700101"),
            is_standing="是",
            employer="县一中",
            job_title="校长",
            education="本科",
            position="常委",
            address="人民路1号",
            code="Q0041",
            birth_date="1970-01-01",
        ),
        row(
            name="往返二",
            gender="女",
            phone="13700000042",
            sector="医药卫生界",
            committees="教科卫体委员会",
            party="九三学社",
            id_no=id_number(42, "19850607"),
            birth_date="1985-06-07",
        ),
    ]
    assert _import(admin, world.county, rows).ok
    r = client_for("admin").get("/manage/members/export/", {"q": "往返"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    exported = list(sheet.iter_rows(values_only=True))
    header, data = exported[0], sorted(exported[1:], key=lambda x: x[0])
    assert list(header[: len(COLUMNS)]) == [c.header for c in COLUMNS]
    by_col = [dict(zip(header, d, strict=True)) for d in data]
    assert [d["姓名"] for d in by_col] == ["往返一", "往返二"]
    one = by_col[0]
    assert (one["手机号"], one["身份证号"], one["界别"], one["乡镇联络组"], one["常委"], one["委员编号"]) == (
        "13700000041",
        id_number(41, "19700101"),
        "教育界",
        "城关镇政协联络组",
        "是",
        "Q0041",
    )
    assert set(one["专委会"].split("、")) == {"提案委员会", "经济委员会"}
    assert by_col[1]["党派"] == "九三学社" and by_col[1]["性别"] == "女"
    # Re-reading the export with the importer's parser gives back the same records; importing it
    # again is refused only because those phone numbers now have accounts.
    result = services.roster_import(user=admin, organisation=world.county, upload=upload(r.content))
    assert not result.ok
    assert {e.message for e in result.errors} == {
        "手机号 13700000041 已被系统中的账号使用。",
        "手机号 13700000042 已被系统中的账号使用。",
    }
    assert AuditEntry.objects.filter(action="members.roster_export", actor=admin).exists()


def test_export_is_filtered_and_scoped(world, client_for):
    r = client_for("citystaff").get("/manage/members/export/", {"sector": world.sector.pk})
    rows = list(
        load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0].iter_rows(values_only=True)
    )[1:]
    expected = Member.objects.filter(sector=world.sector).count()
    assert len(rows) == expected and all(x[5] == world.sector.name for x in rows)
    r = client_for("staff").get("/manage/members/export/")
    rows = list(
        load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0].iter_rows(values_only=True)
    )[1:]
    assert rows and all(x[-1] == "青川县政协" for x in rows)
