"""A member on a phone writing a 社情民意 item or a proposal sees 暂存 and 提交 while typing: the forms' sticky
action bar rides above the bottom tab bar instead of under it (it was hidden until the very end of the
page, and a tap there opened 提案 or 会议活动 instead of saving)."""

import pytest

pytestmark = pytest.mark.e2e

# The element a tap at the middle of each button reaches, and where the bar sits against the tab bar.
PROBE = """(ids) => {
  const bar = document.querySelector('#member-tabbar').getBoundingClientRect();
  return ids.map((id) => {
    const b = document.getElementById(id).getBoundingClientRect();
    const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
    return {id, hit: hit && hit.closest('button') ? hit.closest('button').id : (hit ? hit.className : null),
            bottom: b.bottom, barTop: bar.top, inView: b.top >= 0 && b.bottom <= window.innerHeight};
  });
}"""


@pytest.mark.parametrize(
    ("path", "buttons"),
    [("/opinions/new/", ["btn-save", "btn-submit"]), ("/proposals/new/", ["btn-save", "btn-submit"])],
)
def test_save_and_submit_stay_above_the_tab_bar_while_typing(page_for, path, buttons):
    page = page_for("member1", phone=True)
    page.goto(path)
    page.locator("#member-tabbar").wait_for()
    page.locator("textarea").first.click()  # typing at the top of a long form
    for b in page.evaluate(PROBE, buttons):
        assert b["inView"] and b["hit"] == b["id"] and b["bottom"] <= b["barTop"] + 0.5, (path, b)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # and at the end of the page
    for b in page.evaluate(PROBE, buttons):
        assert b["inView"] and b["hit"] == b["id"], (path, b)
