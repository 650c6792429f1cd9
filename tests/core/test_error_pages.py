"""A path nobody routes answers as the caller expects: JSON under /api/, the styled page elsewhere."""

import pytest


@pytest.mark.django_db
def test_unrouted_api_path_answers_json(client):
    # {int:meeting_id} does not match a negative id, so the request falls out of the API router.
    response = client.get("/api/v1/meetings/-5/invitations")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "未找到。"}


@pytest.mark.django_db
def test_unrouted_page_answers_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
