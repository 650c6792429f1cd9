# Issue 16: the staff's list of 社情民意 pages each committee's newest items from this index
# (opinions.selectors._newest_per_committee: a LATERAL read per committee of the user's subtree) instead of
# the primary key backwards over every newer item of the other committees (bench "政协云", a county's 信息科).
# INCLUDE (status) is PostgreSQL's (the list leaves drafts out without reading the rows); ignored elsewhere.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0001_squashed_0004_author_cover_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="opinion",
            index=models.Index(
                fields=["organisation", "id"], include=("status",), name="opinion_org_recent_idx"
            ),
        ),
    ]
