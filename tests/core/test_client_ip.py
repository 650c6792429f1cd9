"""The client address used by the per-address limits and the audit log cannot be chosen by the client."""

from django.test import RequestFactory

from zhengxie.core.context import client_ip


def _request(forwarded=None):
    headers = {"REMOTE_ADDR": "10.0.0.5"}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_our_proxy_a_forwarded_header_is_ignored(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(_request("1.2.3.4")) == "10.0.0.5"
    assert client_ip(_request()) == "10.0.0.5"


def test_behind_our_proxy_the_hop_it_appended_counts_not_what_the_client_sent(settings):
    settings.BEHIND_PROXY = True
    # nginx appends the address it saw ($proxy_add_x_forwarded_for): the client's own value comes first.
    assert client_ip(_request("6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request()) == "10.0.0.5"


def test_a_forged_header_does_not_reset_the_public_rate_limit(client, settings, db):
    from django.core.cache import cache

    from zhengxie.core.models import Organisation

    settings.BEHIND_PROXY = False
    cache.clear()
    county = Organisation.objects.get(code="demo-county")
    statuses = []
    for i in range(11):
        r = client.post(
            "/api/v1/public/suggestions",
            {"organisation_id": county.pk, "title": f"路灯不亮{i}", "content": "晚上很黑。", "consent": True},
            content_type="application/json",
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
        )
        statuses.append(r.status_code)
    assert statuses[:10] == [201] * 10 and statuses[10] == 429
