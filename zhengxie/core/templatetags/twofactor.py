from django import template

register = template.Library()


@register.filter
def has_second_factor(user) -> bool:
    """{% if account|has_second_factor %}: the user has a confirmed authenticator."""
    from zhengxie.core.twofactor import device_for

    return device_for(user) is not None
