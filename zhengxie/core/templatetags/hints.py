"""「？」 hints (core.hints): `{% hint "key" %}` anywhere, `{% field_hint field %}` in the field includes."""

from django import template

from zhengxie.core import hints

register = template.Library()


def _organisation(context):
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None


def _context(context, key):
    found = hints.get(key, _organisation(context)) if key else None
    if found is None:
        return {"hint": None}
    title, text = found
    return {"hint": {"key": key, "title": title, "text": text}}


@register.inclusion_tag("includes/hint.html", takes_context=True)
def hint(context, key):
    return _context(context, key)


@register.inclusion_tag("includes/hint.html", takes_context=True)
def field_hint(context, field):
    return _context(context, hints.field_key(field))
