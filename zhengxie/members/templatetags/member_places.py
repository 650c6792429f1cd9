"""The 一员一档's card of a member's places and pledge (issue 15): `{% member_places member year %}` shows the
sectors they convene, the groups they lead or belong to, and the year's 履职承诺 beside what they did (four
queries), with 填写/修改 for whoever may write it."""

from django import template

register = template.Library()


@register.inclusion_tag("members/_archive_pledge.html", takes_context=True)
def member_places(context, member, year):
    from zhengxie.performance.selectors_pledges import member_pledge

    from ..selectors_groups import roles_of
    from ..services_groups import pledge_years

    user = context["request"].user
    return {
        "member": member,
        "year": year,
        "places": roles_of(member),
        "p": member_pledge(member, year),
        "is_self": member.user_id == user.pk,
        "can_edit": year in pledge_years() and user.has_perm("members.edit_pledge", member),
    }
