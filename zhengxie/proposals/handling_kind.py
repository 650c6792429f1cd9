"""The proposal as a kind of the handling spine (handling/kinds.py): its numbers are the proposals.*
settings, it uses reply classes, each agreed signer rates, 不满意 sends the unit back for re-handling."""

from django.urls import reverse

from zhengxie.handling import kinds


def _url(case) -> str:
    return reverse("proposals:detail", args=[case.object_id])


def _acknowledge_url(case) -> str:
    return reverse("proposals:simple_action", args=[case.object_id, "acknowledge"])


def _reply_template_url(case) -> str:
    return reverse("proposals:reply_template", args=[case.object_id])


def _extend(*, user, case, new_deadline, reason):
    from . import services

    return services.proposal_extend(
        user=user, proposal=case.object_id, new_deadline=new_deadline, reason=reason
    )


def source_text(p) -> str:
    """Where a proposal came from: 「个人提案（张三）」, 「联名提案（张三领衔）」, 「集体提案（民盟县委会）」."""
    if p.kind == p.Kind.COLLECTIVE:
        who = p.collective_body
    else:
        who = p.lead_member.name if p.lead_member_id else ""
        if who and p.kind == p.Kind.JOINT:
            who += "领衔"
    return f"{p.get_kind_display()}（{who}）" if who else p.get_kind_display()


def _source(case) -> str:
    return source_text(case.proposal)


def _sources(cases) -> dict:
    from .models import Proposal

    items = Proposal.objects.select_related("lead_member").only(
        "kind", "collective_body", "lead_member", "lead_member__name"
    )
    return kinds.sources_from(cases, items, source_text)


def _may_view(case, user) -> bool:
    from . import rules

    return rules.can_view_proposal(user, case.proposal)


def _may_rate(case, user) -> bool:
    from . import rules

    return rules.is_agreed_signer(user, case.proposal)


PROPOSAL = kinds.register(
    kinds.Kind(
        name="proposal",
        label="提案",
        prefix="proposals",
        reply_days=90,
        max_extension_days=180,
        uses_classes=True,
        raters="signers",
        on_unsatisfied="rehandle",
        item_model="proposals.Proposal",
        # Late receipt or contact turns the light yellow in the first round only (not while re-handling).
        node_statuses=("assigned", "handling"),
        proposer_label="提案人",
        rater_label="提案人",
        office_label="提案委员会（提案科）",
        office="proposal",
        url=_url,
        may_view=_may_view,
        acknowledge_url=_acknowledge_url,
        reply_template_url=_reply_template_url,
        extend=_extend,
        may_rate=_may_rate,
        source=_source,
        sources=_sources,
    )
)
