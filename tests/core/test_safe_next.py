"""Issue 14, finding 12: a `next` parameter sends the user back only to this site (core.redirects)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from zhengxie.core.redirects import safe_next

EVIL = [
    "https://evil.example.com/",
    "//evil.example.com/",
    "/\\evil.example.com/",
    "\\\\evil.example.com",
    "http:/evil.example.com",
    "javascript:alert(1)",
    " https://evil.example.com/",
    "\x01https://evil.example.com/",
]


@pytest.mark.parametrize("url", EVIL)
def test_an_offsite_next_gives_the_default(url):
    request = RequestFactory().post("/x/", {"next": url})
    assert safe_next(request, "/proposals/") == "/proposals/"


@pytest.mark.parametrize("url", ["/proposals/?page=2", "http://testserver/activities/"])
def test_a_next_on_this_site_is_kept(url):
    assert safe_next(RequestFactory().post("/x/", {"next": url}), "/") == url
    assert safe_next(RequestFactory().get("/x/", {"next": url}), "/") == url


def test_a_prefix_narrows_where_next_may_go():
    request = RequestFactory().post("/x/", {"next": "/proposals/"})
    assert safe_next(request, "handling:board", prefix="/handling/") == reverse("handling:board")
