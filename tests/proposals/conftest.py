"""Fixtures for proposals: `proposal_in(state, ...)` drives a fresh proposal through the services.

Texts are on one matter (education) so the 一事一案 check lets them through; units are the demo's
县教育局 (handler1, unithead1) and 县住建局 (handler2).
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengxie.core.models import HandlingUnit
from zhengxie.proposals import services
from zhengxie.proposals.models import Proposal

TEXT = {
    "title": "关于加强乡村学校教师队伍建设的建议",
    "reasons": "乡村学校教师流失严重，部分学校音体美教师短缺，教师年龄结构老化。",
    "suggestions": "一是提高乡村教师生活补助；二是完善教师周转宿舍；三是建立城乡教师交流轮岗机制。",
    "category": "科教文卫",
}

STATES = ["draft", "submitted", "accepted", "assigned", "handling", "replied", "closed"]


@pytest.fixture
def units(db):
    by = {u.short_name: u for u in HandlingUnit.objects.filter(organisation__code="demo-county")}
    return by


@pytest.fixture
def proposal_in(db, user, units):
    """proposal_in("replied", author="member1", cosigners=["member2"], title=...) -> Proposal in that state."""

    def make(state="draft", *, author="member1", cosigners=(), lead="教育局", co=(), **text):
        fields = {**TEXT, **text}
        a = user(author)
        kind = "joint" if cosigners else "individual"
        cos = [user(c).member.pk for c in cosigners]
        p = services.proposal_create(user=a, kind=kind, cosigner_ids=cos, **fields)
        if STATES.index(state) >= 1:
            services.proposal_submit(user=a, proposal=p, confirm_single_matter=True)
            for c in cosigners:
                services.proposal_cosign(user=user(c), proposal=p, agree=True)
        staff = user("staff")
        if STATES.index(state) >= 2:
            services.proposal_review(user=staff, proposal=p, decision="accept")
        if STATES.index(state) >= 3:
            services.proposal_assign(
                user=staff, proposal=p, lead_unit=units[lead], co_units=[units[c] for c in co]
            )
        handler = {"教育局": "handler1", "住建局": "handler2"}[lead]
        if STATES.index(state) >= 4:
            services.assignment_acknowledge(user=user(handler), proposal=p)
        if STATES.index(state) >= 5:
            services.proposal_reply(
                user=user(handler), proposal=p, result_class="A", content="已采纳，正在落实。"
            )
        if STATES.index(state) >= 6:
            for name in (author, *cosigners):
                services.proposal_evaluate(user=user(name), proposal=p, rating="satisfied", comment="")
            services.proposal_close(user=staff, proposal=p, reason="会办单位无意见。" if co else "")
        p.refresh_from_db()
        assert p.status == state
        return p

    return make


def pdf_upload(name="答复函.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def docx_upload(name="答复函.docx"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/octet-stream")


def fake_pdf_upload(name="答复函.pdf"):
    """Claims to be a PDF, is really an executable script."""
    return SimpleUploadedFile(name, b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf")


def reload(p) -> Proposal:
    return Proposal.objects.get(pk=p.pk)
