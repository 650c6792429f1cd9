"""{% proposal_light p %} and {% proposal_status p %}: a proposal's 督办灯 dot and status badge, written in
Python. A list page shows them on every row (twice the light: phone and desktop cells), and an {% include %}
per badge was a quarter of the proposals list's rendering time (issue #13). _light.html and _status.html
call these, so the markup has one source."""

from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_COLOUR = {
    "draft": "secondary",
    "awaiting_cosigners": "info",
    "submitted": "primary",
    "accepted": "success",
    "assigned": "success",
    "handling": "warning",
    "replied": "info",
    "rehandling": "danger",
    "closed": "dark",
}


@register.simple_tag
def proposal_light(p) -> str:
    if not p.light:
        return ""
    label = p.get_light_display()
    return format_html(
        '<span class="light-dot light-{}" title="{}" role="img" aria-label="{}"></span>',
        p.light,
        label,
        label,
    )


@register.simple_tag
def proposal_status(p) -> str:
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATUS_COLOUR.get(p.status, "light border"),
        p.get_status_display(),
    )
