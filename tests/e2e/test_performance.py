"""Duty performance in the browser: member1's archive (一员一档) and self-report (自报) with evidence; staff
confirm it from the review queue and the year's total goes up; a leader looks at the rankings page.

Totals, caps and points are read from the pages (demo data and other e2e files on the same worker may change
them), and every test creates the self-report it needs, with a unique description.
"""

import re
import struct
import uuid
import zlib
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

EVIDENCE_REQUIRED = "请上传佐证材料"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def png_1x1() -> bytes:
    """A valid 1x1 RGB PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xc0\x39\x2b"))
        + chunk(b"IEND", b"")
    )


def watch(page, problems):
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))


def number(text: str) -> Decimal:
    found = NUMBER.search(text.replace(",", ""))
    assert found, f"no number in {text!r}"
    return Decimal(found.group())


def open_archive(page):
    page.goto("/performance/me/")
    expect(page).to_have_url(re.compile(r"/performance/members/\d+/"))
    expect(page.locator("h1")).to_contain_text("一员一档")
    return page


def total(page) -> Decimal:
    return number(page.locator("#total").inner_text())


def activities_row(page) -> tuple[Decimal, Decimal | None]:
    """(累计, 上限) of the 履职活动 category in the 总分如何得出 table."""
    cells = page.locator("#caps tbody tr", has_text="履职活动").first.locator("td")
    raw = number(cells.nth(1).inner_text())
    cap_text = cells.nth(2).inner_text().strip()
    return raw, (None if cap_text == "不限" else number(cap_text))


def fill_report(page, description: str):
    form = page.locator("#self-reports form")
    form.locator("#id_act").select_option(label="参加公益活动")
    # The latest date the form allows is the server's today: stays inside the archive's year.
    page.fill("#id_occurred_on", page.locator("#id_occurred_on").get_attribute("max"))
    page.fill("#id_description", description)
    return form


def submit_report(page, description: str, evidence_path):
    form = fill_report(page, description)
    page.set_input_files("#id_evidence", str(evidence_path))
    form.get_by_role("button", name="提交自报").click()
    expect(page.locator("#messages")).to_contain_text("履职自报已提交")
    row = page.locator("#self-reports tbody tr", has_text=description)
    expect(row).to_have_count(1)
    return row


@pytest.fixture
def evidence(tmp_path):
    path = tmp_path / "公益活动照片.png"
    path.write_bytes(png_1x1())
    return path


def test_member_archive_and_self_report_needs_evidence(page_for, evidence):
    problems = []
    m1 = page_for("member1")
    watch(m1, problems)
    open_archive(m1)
    expect(m1.locator("#total")).to_have_text(NUMBER)
    expect(m1.locator("#records thead")).to_contain_text("履职事项")
    assert m1.locator("#records tbody tr").count() >= 1
    expect(m1.locator("#records tbody")).not_to_contain_text("本年度暂无履职记录")
    expect(m1.locator("#caps")).to_contain_text("合计")
    expect(m1.locator("[data-chart-source=cat-chart]")).to_have_attribute(
        "_echarts_instance_", re.compile(".+")
    )

    description = f"参加社区敬老院志愿服务 {uuid.uuid4().hex[:6]}"
    form = fill_report(m1, description)
    evidence_input = m1.locator("#id_evidence")
    # The file input speaks Chinese (issue 15), not Chromium's "Choose File / No file chosen": our button and
    # box over the real input, which keeps the label, and the focus ring shows on the box.
    chosen = form.locator("[data-file-picker-name]")
    expect(form.locator(".file-picker-btn")).to_have_text("选择文件")
    expect(chosen).to_have_text("未选择文件")
    expect(form.get_by_label("佐证材料")).to_have_attribute("type", "file")
    evidence_input.focus()
    ring = form.locator(".file-picker-box").evaluate("e => getComputedStyle(e).boxShadow")
    assert ring != "none", ring
    archive_url = m1.url
    if evidence_input.evaluate("e => e.required"):
        # The browser stops the form itself (the file input is `required`): nothing is sent, nothing is lost.
        form.get_by_role("button", name="提交自报").click()
        assert evidence_input.evaluate("e => e.validity.valueMissing")
        assert m1.url == archive_url
        expect(m1.locator("#id_description")).to_have_value(description)
        # The server must refuse it too (browsers without validation, scripted posts): in Chinese.
        form.evaluate("f => { f.noValidate = true; }")
    form.get_by_role("button", name="提交自报").click()
    expect(form).to_contain_text(EVIDENCE_REQUIRED)
    expect(m1.locator("#id_description")).to_have_value(description)
    expect(m1.locator("#id_act option:checked")).to_have_text("参加公益活动")
    expect(m1.locator("#self-reports tbody")).not_to_contain_text(description)
    expect(chosen).to_have_text("未选择文件")  # sent back: the browser keeps no file, the box says so

    # The chosen file's name shows; with it the report is accepted and listed as 待确认, the file linked.
    m1.set_input_files("#id_evidence", str(evidence))
    expect(chosen).to_have_text("公益活动照片.png")
    row = submit_report(m1, description, evidence)
    expect(row).to_contain_text("参加公益活动")
    expect(row.locator(".badge")).to_have_text("待确认")
    expect(row.get_by_role("link")).to_contain_text("公益活动照片")
    assert problems == []


def test_staff_confirm_raises_the_members_total(page_for, evidence):
    problems = []
    m1 = page_for("member1")
    watch(m1, problems)
    open_archive(m1)
    before = total(m1)
    raw, cap = activities_row(m1)
    welfare_records = m1.locator("#records tbody tr", has_text="参加公益活动")
    records_before = welfare_records.count()
    description = f"参加城关镇义诊进社区活动 {uuid.uuid4().hex[:6]}"
    submit_report(m1, description, evidence)
    assert total(m1) == before  # nothing counts until staff confirm it

    staff = page_for("staff")
    watch(staff, problems)
    staff.goto("/performance/reviews/")
    expect(staff.locator("h1")).to_have_text("履职自报审核")
    row = staff.locator("#queue tbody tr", has_text=description)
    expect(row).to_contain_text("张明华")
    expect(row).to_contain_text("参加公益活动")
    expect(row.get_by_role("link", name=re.compile("公益活动照片"))).to_be_visible()
    row.get_by_role("button", name="确认计分").click()
    message = staff.locator("#messages")
    expect(message).to_contain_text("已确认 张明华 的“参加公益活动”")
    points = number(re.search(r"计 (\S+) 分", message.inner_text()).group(1))
    assert points > 0
    expect(staff.locator("#queue tbody")).not_to_contain_text(description)

    m1.reload()
    after = total(m1)
    # Caps are applied to the category: the act counts in full while the category has room (it has in the demo).
    counted = points if cap is None else min(raw + points, cap) - min(raw, cap)
    assert counted > 0, f"履职活动 is already at its cap ({raw}/{cap}): the journey cannot show a rise"
    assert after == before + counted, (before, points, after)
    assert activities_row(m1)[0] == raw + points
    row = m1.locator("#self-reports tbody tr", has_text=description)
    expect(row.locator(".badge")).to_have_text("已确认")
    expect(welfare_records).to_have_count(records_before + 1)
    assert problems == []


def test_leader_sees_rankings_chart_and_tables(page_for):
    problems = []
    leader = page_for("leader")
    watch(leader, problems)
    leader.goto("/performance/rankings/")
    expect(leader.locator("h1")).to_contain_text("履职排名与分布")
    for chart in ("hist-chart", "groups-chart"):
        box = leader.locator(f"[data-chart-source={chart}]")
        expect(box).to_be_visible()
        expect(box).to_have_attribute("_echarts_instance_", re.compile(".+"))
        expect(box.locator("canvas").first).to_be_attached()
    groups = leader.locator("#groups tbody tr")
    expect(groups.first).not_to_contain_text("本年度暂无积分")
    expect(leader.locator("#groups thead")).to_contain_text("界别")

    ranking = leader.locator("#ranking tbody tr")
    expect(ranking.first).not_to_contain_text("暂无数据")
    assert ranking.count() >= 2
    expect(ranking.first.locator("td").first).to_have_text("1")
    totals = [number(t) for t in leader.locator("#ranking tbody tr td:nth-child(5)").all_inner_texts()]
    assert totals == sorted(totals, reverse=True)

    # By 专委会: the groups table and chart follow.
    leader.get_by_role("link", name="按专委会").click()
    expect(leader.locator("#groups thead")).to_contain_text("专委会")
    expect(leader.locator("[data-chart-source=groups-chart]")).to_have_attribute(
        "_echarts_instance_", re.compile(".+")
    )
    # One group's members only; its row is highlighted.
    first_group = leader.locator("#groups tbody tr").first
    name = first_group.locator("td a").inner_text().strip()
    first_group.locator("td a").click()
    expect(leader.locator("#groups tbody tr.table-primary")).to_contain_text(name)
    expect(leader.locator("h2", has_text="委员排名")).to_contain_text(name)
    assert problems == []
