"""{% converted_item p as item %}: on the page of a proposal reviewed as 转社情民意信息, the 社情民意 item it
became (Opinion.source_proposal), or None when there is none or the user may not open it (the
`opinions.view_opinion` rule: its authors, and staff and leaders of its organisation and above). Computed
here so the detail view stays as it is; one or two queries, only on a converted proposal's page."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from ..models import Proposal

register = template.Library()


@register.simple_tag(takes_context=True)
def converted_item(context, p):
    if p.status != Proposal.Status.CONVERTED or p.converted_to != Proposal.ConvertedTo.OPINION:
        return None
    try:
        item = p.opinion  # the reverse of Opinion.source_proposal
    except ObjectDoesNotExist:
        return None
    user = context["request"].user
    return item if user.has_perm("opinions.view_opinion", item) else None
