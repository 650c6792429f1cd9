"""Issue 14, finding 13: the CSP allows no inline styles (`style-src 'self'`), and the pages still work
under it. The leader opens the pages that draw charts, hovers each chart until its tooltip shows, and the
browser reports no CSP violation (a `securitypolicyviolation` event or a "Refused to ..." console error),
nor any other console error. htmx's own indicator <style> and ECharts' tooltips are the usual suspects.

Screenshots go to test-results/e2e/csp/.
"""

import pytest

from .helpers import shot

pytestmark = pytest.mark.e2e

PAGES = [
    ("dashboard", "/dashboard/"),
    ("proposals-stats", "/proposals/stats/"),
    ("keytasks-board", "/keytasks/board/"),
    ("yearbook", "/yearbook/"),
]

# Registered before any page script runs: every CSP violation the document sees is kept on window.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(
    e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || "") + " at " +
    (e.sourceFile || "?").split("/").pop() + ":" + e.lineNumber + ":" + e.columnNumber
  );
});
"""


# The text of the tooltip a chart shows now ("" when none): ECharts' tooltip view keeps its content, an
# HTML element or (under this CSP) a text drawn on the canvas.
TOOLTIP_TEXT = """(el) => {
  const chart = window.echarts.getInstanceByDom(el);
  const view = chart && chart._componentsViews.find((v) => v && v.type === "tooltip");
  const content = view && view._tooltipContent;
  if (!content || !content._show) return "";
  if (content.el && content.el.style && typeof content.el.style.text === "string") return content.el.style.text;
  return (content.el && content.el.textContent) || "";
}"""


def _hover_charts(page, name: str) -> list[str]:
    """Hover points across each drawn chart until it shows a tooltip; returns the tooltips' texts."""
    charts = page.locator("[data-chart-source][data-rendered]")
    texts = []
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        if not box or box["width"] < 20 or box["height"] < 20:
            continue
        # Bars, lines and pies answer in different places: try points across the chart.
        points = [(fx / 10, fy / 10) for fy in (5, 7, 3, 8) for fx in (5, 3, 7, 2, 8, 4, 6)]
        for fx, fy in points:
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(120)
            text = page.evaluate(TOOLTIP_TEXT, chart.element_handle())
            if text:
                texts.append(text)
                if len(texts) == 1:
                    shot(page, "csp", f"{name}-tooltip")
                break
        page.mouse.move(0, 0)
    return texts


def test_the_chart_pages_show_their_tooltips_without_any_csp_violation(page_for):
    page = page_for("leader")
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    seen = {}
    for name, url in PAGES:
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        charts = page.locator("[data-chart-source][data-rendered]").count()
        assert charts, f"{url}: no chart drawn"
        before = page.evaluate("window.__csp.length")
        tips = _hover_charts(page, name)
        seen[url] = (charts, tips)
        violations = page.evaluate("window.__csp")
        assert not violations, f"{url}: CSP violations ({before} before hovering) {sorted(set(violations))}"
        assert tips, f"{url}: no tooltip showed on any of its {charts} charts"
        assert all(t.strip() for t in tips)
    refused = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
    assert not refused, refused
    assert not [m for m in console if m.startswith(("error", "pageerror"))], console
