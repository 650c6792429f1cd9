# The yearly statistics count each item's authorships (member, place in the list, merged or not) from this
# index alone (bench/opinions_bench.py: the authorship aggregate of a year of 23,500 items, 117 -> 69 ms on
# SQLite).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_roster_import_passwords'),
        ('opinions', '0003_stats_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='opinionauthor',
            index=models.Index(fields=['opinion', 'member', 'order', 'via_merge'], name='opinion_author_cover_idx'),
        ),
    ]
