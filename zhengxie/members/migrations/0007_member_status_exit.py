"""Member.Status gains 已劝辞 and 视为辞去 (动态退出, performance.services_warnings)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_member_entry_term"),
    ]

    operations = [
        migrations.AlterField(
            model_name="member",
            name="status",
            field=models.CharField(
                choices=[
                    ("active", "在任"),
                    ("suspended", "暂停"),
                    ("exited", "退出"),
                    ("advised", "已劝辞"),
                    ("deemed", "视为辞去"),
                ],
                default="active",
                max_length=10,
                verbose_name="状态",
            ),
        ),
    ]
