"""Issue 14, findings 10 and 13: the API's contract (core.apicontract, core.idempotency, core.textguard):
integers bounded, errors declared for every operation, a valid OpenAPI document, non-object bodies and
over-long file names refused as JSON 422, retried creates answered once."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.proposals.conftest import TEXT
from zhengxie.core import idempotency
from zhengxie.proposals.models import Proposal

J = "application/json"
HUGE = "100000000000000000000"


@pytest.fixture
def doc(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    return r.json()


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def test_every_operation_declares_its_errors(doc):
    missing = []
    for path, method, op in _operations(doc):
        codes = set(op["responses"])
        need = {"403", "404", "409", "422"} | ({"401"} if op.get("security") else set())
        if path.endswith("/auth/token"):
            need |= {"429"}
        if not need <= codes:
            missing.append((method, path, sorted(need - codes)))
    assert missing == []
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"] and set(error["properties"]) == {"detail", "code", "field"}


def _walk(node, where=""):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}/{i}")


def test_the_openapi_document_is_structurally_valid(doc):
    assert doc["openapi"].startswith("3.") and doc["info"]["title"]
    schemas = doc["components"]["schemas"]
    problems = []
    for where, node in _walk(doc):
        if "prefixItems" in node:
            problems.append(f"{where}: prefixItems (not OpenAPI 3.0)")
        if (
            node.get("type") == "array"
            and "/properties/" in where
            and not isinstance(node.get("items"), dict)
        ):
            problems.append(f"{where}: array without items")
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.removeprefix("#/components/schemas/") not in schemas:
            problems.append(f"{where}: dangling {ref}")
    for path, method, op in _operations(doc):
        for code, response in op["responses"].items():
            if not (code.isdigit() and "description" in response):
                problems.append(f"{method} {path} {code}")
    assert problems == []
    grades = schemas["SchemeIn"]["properties"]["grades"]
    assert grades["items"]["type"] == "array" and grades["items"]["minItems"] == 2


def test_integers_are_bounded_in_the_schema_and_answer_422(doc, api_for):
    params = {p["name"]: p for p in doc["paths"]["/api/v1/proposals"]["get"]["parameters"]}
    assert params["page"]["schema"]["maximum"] == 2**53 - 1
    r = api_for("staff").get("/api/v1/proposals", {"page": HUGE})
    assert r.status_code == 422 and "数值过大" in r.json()["detail"]
    r = api_for("staff").get("/api/v1/proposals", {"unit": HUGE, "session": HUGE})
    assert r.status_code == 422 and "数值过大" in r.json()["detail"]


def test_a_body_that_is_not_an_object_is_422(api_for):
    c = api_for("member1")
    for body in ("[null,null]", "null", "3", '"x"', "{bad json"):
        r = c.post("/api/v1/proposals", body, content_type=J)
        assert r.status_code == 422, (body, r.content)
        assert r.json()["detail"].startswith("输入有误")


def test_an_overlong_upload_file_name_is_json_422(api_for):
    f = SimpleUploadedFile("长" * 201 + ".pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    r = api_for("member1").post(
        "/api/v1/self-reports", {"act": "x", "description": "y", "occurred_on": "2026-01-05", "evidence": f}
    )
    assert r.status_code == 422 and r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "filename_too_long" and r.json()["field"] == "evidence"


def test_a_retried_create_with_the_same_idempotency_key_creates_one_proposal(api_for):
    c = api_for("member1")
    before = Proposal.objects.count()
    first = c.post("/api/v1/proposals", TEXT, content_type=J, headers={"Idempotency-Key": "abc-1"})
    again = c.post("/api/v1/proposals", TEXT, content_type=J, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert Proposal.objects.count() == before + 1
    other = c.post("/api/v1/proposals", TEXT, content_type=J, headers={"Idempotency-Key": "abc-2"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert c.post("/api/v1/proposals", TEXT, content_type=J).status_code == 201
    assert Proposal.objects.count() == before + 3
    # Another user's same key is theirs alone.
    mine = api_for("member2").post(
        "/api/v1/proposals", TEXT, content_type=J, headers={"Idempotency-Key": "abc-1"}
    )
    assert mine.status_code == 201 and mine.json()["id"] != first.json()["id"]


def test_the_same_key_with_another_body_is_refused_not_replayed(api_for):
    """Stripe's rule: a key names one request. The same body (keys in another order) gets the first
    answer again; another body gets 422 and creates nothing."""
    c = api_for("member1")
    before = Proposal.objects.count()
    key = {"Idempotency-Key": "same-key"}
    first = c.post("/api/v1/proposals", TEXT, content_type=J, headers=key)
    assert first.status_code == 201
    reordered = json.dumps(dict(reversed(list(TEXT.items()))), ensure_ascii=False)
    again = c.post("/api/v1/proposals", reordered, content_type=J, headers=key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = c.post("/api/v1/proposals", {**TEXT, "title": "关于另一件事的提案"}, content_type=J, headers=key)
    assert other.status_code == 422 and "Idempotent-Replayed" not in other
    assert other.json() == {
        "detail": idempotency.REUSED,
        "code": "idempotency_key_reused",
        "field": "Idempotency-Key",
    }
    assert "Idempotency-Key" in other.json()["detail"] and "请使用新的" in other.json()["detail"]
    assert Proposal.objects.count() == before + 1
    assert not Proposal.objects.filter(title="关于另一件事的提案").exists()
    # The same query string too: another one is another request.
    assert c.post("/api/v1/proposals?x=1", TEXT, content_type=J, headers=key).status_code == 422


def test_a_form_body_is_fingerprinted_by_its_fields_and_files_not_its_boundary(rf):
    def upload(boundary: str, content: bytes):
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n佐证\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="a.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return rf.post("/api/v1/x", body, content_type=f"multipart/form-data; boundary={boundary}")

    a, b, c = upload("AAAA", b"%PDF-1"), upload("BBBB", b"%PDF-1"), upload("AAAA", b"%PDF-2")
    assert idempotency.fingerprint(a) == idempotency.fingerprint(b) != idempotency.fingerprint(c)
    assert a.FILES["evidence"].read() == b"%PDF-1"  # still readable by the operation


def test_a_refused_create_does_not_use_up_its_key(api_for):
    c = api_for("member1")
    bad = c.post("/api/v1/proposals", {**TEXT, "title": ""}, content_type=J, headers={"Idempotency-Key": "k"})
    assert bad.status_code == 422
    good = c.post("/api/v1/proposals", TEXT, content_type=J, headers={"Idempotency-Key": "k"})
    assert good.status_code == 201


def test_the_csp_allows_no_inline_styles(client_for):
    r = client_for("staff").get("/")
    policy = r.get("Content-Security-Policy", "")
    style = next(d for d in policy.split(";") if d.strip().startswith("style-src"))
    assert "'unsafe-inline'" not in style and "'self'" in style


def test_no_template_has_inline_styles():
    root = Path(settings.BASE_DIR) / "zhengxie"
    offenders = [str(p) for p in root.rglob("*.html") if re.search(r"\sstyle=|<style", p.read_text())]
    assert offenders == []


def test_every_nginx_location_that_adds_headers_keeps_hsts():
    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    conf = re.sub(r"#.*", "", conf)
    assert "Strict-Transport-Security" in conf
    for block in re.findall(r"location[^{]*\{[^}]*\}", conf):
        if "add_header" in block:
            assert "Strict-Transport-Security" in block, block
