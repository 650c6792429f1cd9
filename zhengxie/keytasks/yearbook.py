"""重点工作 in the work report (selectors.year_figures)."""

from django.urls import reverse

from zhengxie.yearbook.registry import Figure, Part, provider

from .selectors import year_figures


@provider("keytasks", "重点工作", order=80)
def keytask_figures(committee, ids, year):
    f = year_figures(committee, year)
    url = reverse("keytasks:board") + f"?year={year}"
    figures = [
        Figure("categories", "重点工作类别", f["categories"], "类", "年度重点工作任务清单的类别数。", url),
        Figure("total", "重点工作任务", f["total"], "项", "年度重点工作任务数。", url),
        Figure("done", "已完成", f["done"], "项", "已完成的任务。", url),
        Figure(
            "behind", "滞后于序时进度", f["behind"], "项", "进行中且亮黄灯或红灯的任务。", url, better="lower"
        ),
    ]
    return Part("keytasks", "重点工作", figures, f["sentence"] + "。", url=url)
