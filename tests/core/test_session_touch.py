"""The idle timeout slides without a session write on every page (core.middleware.SessionTouchMiddleware)."""

import datetime

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone


def _session_writes(client, url="/"):
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    assert r.status_code == 200
    return [x["sql"] for x in q.captured_queries if "django_session" in x["sql"] and "SELECT" not in x["sql"]]


def test_pages_in_quick_succession_do_not_rewrite_the_session(client_for):
    c = client_for("staff")
    # Login marked the session touched: not even the first page after it saves the session again.
    assert _session_writes(c) == []
    assert _session_writes(c) == []


def test_the_session_is_pushed_ahead_once_the_touch_interval_has_passed(client_for, settings):
    c = client_for("staff")
    c.get("/")
    key = c.session.session_key
    # The last touch was long ago, and the stored expiry is close.
    s = c.session
    s["_touched"] = 0
    s.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + datetime.timedelta(seconds=30))
    assert len(_session_writes(c)) == 1
    expiry = Session.objects.get(pk=key).expire_date
    assert expiry > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_idle_session_still_ends(client_for):
    c = client_for("staff")
    c.get("/")
    Session.objects.filter(pk=c.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    r = c.get("/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
