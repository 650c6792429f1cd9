"""Issue 14, finding 12: POST /activities/{id}/notify/ with an off-site `next` stays on the site."""

from django.urls import reverse

from tests.core.test_safe_next import EVIL


def test_meeting_notify_does_not_redirect_off_site(client_for, make_meeting):
    m = make_meeting(notify=False)
    c = client_for("office")
    for url in EVIL:
        r = c.post(reverse("activities:notify", args=[m.pk]), {"next": url})
        assert r.status_code == 302 and r.url == reverse("activities:detail", args=[m.pk]), url
    r = c.post(reverse("activities:notify", args=[m.pk]), {"next": "/activities/"})
    assert r.url == "/activities/"
