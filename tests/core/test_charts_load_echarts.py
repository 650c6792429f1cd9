"""Every page that draws a chart loads ECharts: a `data-chart-source` block without the library stays an
empty card (the 重点工作看板 and the 视察调研 list showed blank charts)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "zhengxie"
LIBRARY = "vendor/echarts/echarts.min.js"


def _templates() -> dict[str, str]:
    out = {}
    for path in ROOT.rglob("templates/**/*.html"):
        rel = path.as_posix().split("/templates/", 1)[1]
        out[rel] = path.read_text(encoding="utf-8")
    return out


def test_every_template_with_a_chart_loads_echarts_itself_or_through_its_includer():
    templates = _templates()
    includers: dict[str, list[str]] = {}
    for name, text in templates.items():
        for inc in re.findall(r"""{%\s*include\s+["']([^"']+)["']""", text):
            includers.setdefault(inc, []).append(name)

    def loads(name: str, seen=()) -> bool:
        if LIBRARY in templates.get(name, ""):
            return True
        parents = includers.get(name, [])
        return bool(parents) and all(loads(p, (*seen, name)) for p in parents if p not in seen)

    missing = [n for n, t in templates.items() if "data-chart-source" in t and not loads(n)]
    assert not missing, f"charts drawn without ECharts: {sorted(missing)}"
