# The yearly figures read the organisation's items by status, category and month of submission from one
# index (opinion_stats_idx widened by category and submitted_at), without fetching a row.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0002_opinion_source_proposal"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="opinion",
            name="opinion_stats_idx",
        ),
        migrations.AddIndex(
            model_name="opinion",
            index=models.Index(
                fields=["organisation", "year", "status", "category", "submitted_at"],
                name="opinion_stats_idx",
            ),
        ),
    ]
