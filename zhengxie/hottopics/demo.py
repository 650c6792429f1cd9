"""The demo computes every committee's hot topics (近90天 and 本年度) after every other app's data, so the
热点 page and the dashboard's section are filled right after `make run`."""

from django.utils import timezone


def load(ctx):
    from zhengxie.core.models import Organisation

    from . import services
    from .models import Run

    today = timezone.localdate()
    made = []
    for org in Organisation.objects.exclude(kind=Organisation.Kind.LIAISON).order_by("path"):
        for period in (Run.Period.LAST_90, Run.Period.YEAR):
            _, date_from, date_to = services.period_range(period, today=today)
            run = Run.objects.create(organisation=org, period=period, date_from=date_from, date_to=date_to)
            made.append(services.compute(run.pk))
    done = [r for r in made if r.status == Run.Status.DONE]
    ctx["stdout"].write(f"    热点已计算：{len(done)} 次，共 {sum(r.clusters for r in done)} 个热点")
