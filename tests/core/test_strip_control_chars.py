"""Issue 14, finding 1 (stored data): `manage.py strip_control_chars` finds the control characters left in
rows stored before the edge refused them (written here with .update(), as old rows are) in every text
field of every model of our apps, encrypted ones too; it changes nothing without --apply, cleans in
audited batches with it, and never changes the audit log."""

import io

from django.core.management import call_command
from django.db import connection

from tests.proposals.builders import build
from zhengxie.core import audit, auditchain, textclean
from zhengxie.core.auditlabels import action_label
from zhengxie.core.models import AuditEntry, Export
from zhengxie.core.textclean import ACTION
from zhengxie.members.models import Member
from zhengxie.proposals.models import Proposal

# SQLite keeps a NUL too; PostgreSQL never could.
NUL = "\x00" if connection.vendor == "sqlite" else ""


def run(*args) -> str:
    out = io.StringIO()
    call_command("strip_control_chars", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_and_apply_cleans_in_audited_batches(user):
    a, b = build(title="旧数据甲"), build(title="旧数据乙")
    Proposal.objects.filter(pk=a.pk).update(
        title=f"关于\x01校园{NUL}安全的提案", reasons="一是\t二是\r\n三是\x0b"
    )
    Proposal.objects.filter(pk=b.pk).update(suggestions="建议\x1f一")
    member = Member.objects.exclude(address="").order_by("pk").first()
    Member.objects.filter(pk=member.pk).update(address="青川县\x02乔庄镇")  # stored encrypted
    a.refresh_from_db()
    old = audit.record(user("staff"), "test.old", a, after={"title": "旧\x01"})  # its object names the title
    entries = AuditEntry.objects.count()

    out = run()
    assert "提案（proposals.proposal）：2 行含控制字符" in out
    assert "委员（members.member）：1 行含控制字符（address 1）" in out
    assert "这是演练，未作改动" in out
    assert Proposal.objects.get(pk=a.pk).title == f"关于\x01校园{NUL}安全的提案"
    assert AuditEntry.objects.count() == entries

    out = run("--apply", "--batch-size", "1")
    assert "提案（proposals.proposal）：2 行已清除" in out and "已记入审计日志" in out
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.title == "关于校园安全的提案" and a.reasons == "一是\t二是\r\n三是"  # tab, CR and LF stay
    assert b.suggestions == "建议一"
    assert Member.objects.get(pk=member.pk).address == "青川县乔庄镇"
    # One audit entry per batch: the model, the row ids and fields (not the old text).
    logged = list(AuditEntry.objects.filter(action=ACTION, after__model="proposals.proposal").order_by("id"))
    assert [e.after["ids"] for e in logged] == [[str(a.pk)], [str(b.pk)]]
    assert logged[0].after["fields"] == ["reasons", "title"]
    assert AuditEntry.objects.filter(action=ACTION, after__model="members.member").count() == 1
    assert action_label(ACTION) == "平台：清除旧数据中的控制字符"  # as the auditor reads it
    # The audit log is reported, never changed, and its chain still holds.
    old_after = AuditEntry.objects.get(pk=old.pk)
    assert "\x01" in old_after.target_repr and old_after.after == {"title": "旧\x01"}
    assert "审计记录不可更改，保持原样" in out
    assert auditchain.verify(AuditEntry.objects.order_by("id"))[1] is None

    out = run("--apply")
    assert "提案（proposals.proposal）" not in out and "委员（members.member）" not in out
    assert "没有需要清除的控制字符" in out


def test_an_audit_entry_restored_into_postgresql_holds_with_its_nul_written_as_a_mark():
    """PostgreSQL cannot hold a NUL: a restore writes it as ␀ in the audit log and names the entry;
    audit_verify accepts exactly that change in exactly those entries."""
    import datetime

    first = AuditEntry(
        id=1,
        created_at=datetime.datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC),
        action="proposals.edit",
        target_repr="关于\x00旧数据",
        after={"title": "关于\x00旧数据"},
    )
    first.hash = auditchain.link(None, first)
    assert textclean.mark_nul(first)
    assert first.target_repr == "关于␀旧数据" and first.after == {"title": "关于␀旧数据"}
    assert auditchain.verify([first])[1] is first  # not named by a restore: reported
    assert auditchain.verify([first], frozenset({1})) == (1, None)
    first.action = "proposals.delete"  # anything else changed is still reported
    assert auditchain.verify([first], frozenset({1}))[1] is first


def test_a_restored_row_is_cleaned_in_its_text_and_json():
    p = Proposal(title="关于\x01旧数据", reasons="一\t二")
    assert textclean.clean_instance(p) == ["title"] and p.title == "关于旧数据" and p.reasons == "一\t二"
    e = Export(kind="proposals.list", title="导出", params={"q\x02": ["学校\x00"]})
    assert textclean.clean_instance(e) == ["params"] and e.params == {"q": ["学校"]}


def test_a_row_whose_cleaned_value_is_taken_is_left_for_a_person(user):
    other = user("member2")
    User = type(other)
    User.objects.filter(pk=other.pk).update(username="member1\x01")  # cleaned, it is member1's
    out = run("--apply")
    assert f"另有 1 行清除后会与已有数据重复，未改动，请人工处理：ID {other.pk}" in out
    assert User.objects.get(pk=other.pk).username == "member1\x01"
    assert "1 行须人工处理" in out
