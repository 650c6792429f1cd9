"""Issue 15: the key tasks list opened from the to-do card (?todo=behind) lists the user's tasks behind schedule
of every year, and its heading, filters and note say so (it read "2026年重点工作" over last year's tasks too);
with a year chosen it says that year."""

import datetime
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(make_task, today):
    last = today.year - 1
    old = make_task(
        year=last,
        category="去年类别",
        title="去年滞后的任务",
        starts_on=datetime.date(last, 1, 1),
        due_on=datetime.date(last, 12, 31),
    )
    new = make_task(title="今年滞后的任务")
    return old, new


def _heading(html):
    return re.sub(
        r"<[^>]+>", "", re.search(r'<h1[^>]*id="keytask-heading"[^>]*>(.*?)</h1>', html, re.S).group(1)
    )


def test_the_todo_list_says_it_holds_every_year(client_for, two_years, today):
    old, new = two_years
    html = client_for("staff").get("/keytasks/", {"todo": "behind"}).content.decode()
    assert _heading(html) == "滞后于序时进度的重点工作（各年度）"
    assert f"{today.year}年重点工作" not in _heading(html)
    assert "去年滞后的任务" in html and "今年滞后的任务" in html
    # The groups name their year; the year picker reads 全部年度; this year's sentence and one year's
    # category/owner pickers and exports are not shown over several years' rows.
    assert f"{today.year - 1}年 · 去年类别" in html and f"{today.year}年 · 测试类别" in html
    assert re.search(r'<option value="" selected>全部年度</option>', html)
    assert (
        'id="keytask-sentence"' not in html and 'name="category"' not in html and 'name="owner"' not in html
    )
    assert 'id="keytask-xlsx"' not in html
    assert "只显示您负责或分管、滞后于序时进度的重点工作（各年度），共 2 项。" in html
    # Filtering keeps the to-do scope.
    assert '<input type="hidden" name="todo" value="behind">' in html


def test_a_chosen_year_narrows_the_todo_list_and_says_so(client_for, two_years, today):
    last = today.year - 1
    html = client_for("staff").get("/keytasks/", {"todo": "behind", "year": last}).content.decode()
    assert _heading(html) == f"{last}年滞后于序时进度的重点工作"
    assert "去年滞后的任务" in html and "今年滞后的任务" not in html
    assert f"只显示您负责或分管、滞后于序时进度的{last}年重点工作，共 1 项。" in html
    assert f'<option value="{last}" selected>{last}年</option>' in html
    assert f"{last}年全部任务：" in html  # the sentence is that year's whole list, and says so


def test_the_plain_list_is_unchanged(client_for, two_years, today):
    html = client_for("staff").get("/keytasks/").content.decode()
    assert _heading(html) == f"{today.year}年重点工作"
    assert "去年滞后的任务" not in html and 'id="keytask-xlsx"' in html and 'id="todo-filter"' not in html
