"""The 微建议 columns of the per-studio figures (studios.figures): messages a studio received in the year
and how many it answered in time — one aggregate query whatever the number of studios."""

from django.db.models import Count, Q

from zhengxie.studios.figures import studio_figure_provider

from .models import Suggestion

S = Suggestion.Status


@studio_figure_provider
def suggestion_columns(studio_ids, year) -> dict:
    rows = (
        Suggestion.objects.filter(
            studio_id__in=list(studio_ids), routed_to=Suggestion.RoutedTo.STUDIO, created_at__year=year
        )
        .values("studio_id")
        .annotate(
            messages=Count("id"),
            on_time=Count("id", filter=Q(status__in=[S.REPLIED, S.CLOSED], reply_on_time=True)),
        )
        .order_by()
    )
    return {
        "columns": [("messages", "群众留言"), ("on_time", "按时答复")],
        "values": {r["studio_id"]: {"messages": r["messages"], "on_time": r["on_time"]} for r in rows},
    }
