"""{% join_panel p signers %}: on the proposal page, the first proposer's pending requests to join (同意/拒绝)
and the requester's own request; computed here so the detail view stays as it is."""

from django import template

from ..models import Signer
from ..rules import member_of
from ..selectors.join import can_decide_joins

register = template.Library()


@register.inclusion_tag("proposals/_join_panel.html", takes_context=True)
def join_panel(context, p, signers):
    user = context["request"].user
    member = member_of(user)
    requests = [s for s in signers if s.status == Signer.Status.REQUESTED]
    mine = next((s for s in requests if member is not None and s.member_id == member.pk), None)
    return {
        "p": p,
        "requests": requests if can_decide_joins(user, p) else [],
        "mine": mine,
        "csrf_token": context.get("csrf_token"),
    }
