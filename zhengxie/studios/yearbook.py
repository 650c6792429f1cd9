"""委员工作室 and 线上值班 in the work report (figures.year_figures over the committee's own organisations)."""

from django.urls import reverse

from zhengxie.yearbook.registry import Figure, Part, provider

from .figures import year_figures


@provider("studios", "委员工作室", order=70)
def studio_figures(committee, ids, year):
    f = year_figures(ids, year)
    url = reverse("studios:list")
    figures = [
        Figure("studios", "委员工作室", f["studios"], "个", "启用中的委员工作室（含乡镇联络组的）。", url),
        Figure("people", "接待群众", f["people"], "人次", "年度服务记录中接待和服务的群众人次。", url),
        Figure("duty_days", "线上值班", f["duty_days"], "天", "已完成的委员线上值班天数。", url),
    ]
    return Part("studios", "委员工作室", figures, f["sentence"] + "。", url=url)
