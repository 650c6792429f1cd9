# A follow-up records why it ended (已终止): another class of reply, or 不满意 sent the unit back (issue 15).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0005_reply_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="end_reason",
            field=models.CharField(blank=True, max_length=100, verbose_name="终止原因"),
        ),
        migrations.AlterField(
            model_name="followup",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "落实中"),
                    ("reported_done", "已报落实待确认"),
                    ("done", "已落实"),
                    ("superseded", "已终止"),
                ],
                default="open",
                max_length=16,
                verbose_name="落实状态",
            ),
        ),
    ]
