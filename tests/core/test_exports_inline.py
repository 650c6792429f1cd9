"""Issue 15: small exports answer at once, only large ones go to the background. Every export button's
view answers through core.exports.respond: a kind that says its size is built in the request up to
EXPORT_INLINE_MAX_ROWS rows and the file is the answer; past it (or when the kind says no size) the task
is queued and the user goes to the progress page."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from zhengxie.core import exports
from zhengxie.core.errors import Invalid
from zhengxie.core.models import AuditEntry, Export

KIND = "tests.sized"


@pytest.fixture
def sized(db):
    """A test kind of `Sized.rows` rows (None: a kind that does not say its size)."""

    class Sized:
        rows: int | None = 3
        fail = False
        built = 0

    def build(user, params, progress):
        Sized.built += 1
        if Sized.fail:
            raise Invalid("演示失败")
        return "小表.xlsx", b"rows " + str(params.get("n", "")).encode()

    def size(user, params):
        return Sized.rows

    exports.register(KIND, build, title="演示小表", may_start=lambda u: u.username == "staff", size=size)
    yield Sized
    exports.REGISTRY.pop(KIND, None)


def _post(user):
    request = RequestFactory().post("/x/")
    request.user = user
    return request


def test_a_small_export_is_the_answer_itself(sized, user, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    with django_capture_on_commit_callbacks() as queued:
        r = exports.respond(_post(user("staff")), KIND, {"n": 7})
    assert queued == []  # no task for a worker
    assert r.status_code == 200 and r.content == b"rows 7" and sized.built == 1
    assert r["Content-Type"] == exports.CONTENT_TYPES["xlsx"] and "attachment" in r["Content-Disposition"]
    export = Export.objects.get(kind=KIND)
    assert (export.status, export.progress, export.filename) == ("done", 100, "小表.xlsx")
    assert AuditEntry.objects.filter(action=f"{KIND}.start", after__export=str(export.pk)).exists()


def test_a_big_export_or_one_of_unknown_size_goes_to_the_background(
    sized, user, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    for rows in (3, None):
        sized.rows = rows
        with django_capture_on_commit_callbacks() as queued:
            r = exports.respond(_post(user("staff")), KIND)
        export = Export.objects.filter(kind=KIND).latest("created_at")
        assert r.status_code == 302 and r.url == f"/exports/{export.pk}/"
        assert export.status == "pending" and len(queued) == 1 and sized.built == 0


def test_a_failed_small_export_shows_its_error_on_the_export_page(sized, user, client_for, settings):
    sized.fail = True
    r = exports.respond(_post(user("staff")), KIND)
    export = Export.objects.get(kind=KIND)
    assert r.status_code == 302 and r.url == f"/exports/{export.pk}/"
    assert export.status == "failed" and export.error == "演示失败"
    assert "演示失败" in client_for("staff").get(r.url).content.decode()


def test_who_may_not_start_it_gets_404(sized, user):
    with pytest.raises(Http404):
        exports.respond(_post(user("leader")), KIND)
    with pytest.raises(Http404):
        exports.respond(_post(user("staff")), "tests.no-such-kind")
    assert not Export.objects.exists() and sized.built == 0


def test_the_threshold_is_a_setting_of_a_few_thousand_rows():
    from django.conf import settings

    assert settings.EXPORT_INLINE_MAX_ROWS == 2000
