"""帮助: the help page of a role (core.help), the current user's own role by default."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import help as help_pages


@login_required
def help_page(request):
    user = request.user
    mine = help_pages.mine(user)
    key = request.GET.get("role", "")
    page = help_pages.BY_KEY.get(key) or help_pages.BY_KEY[help_pages.default_for(user)]
    return render(
        request,
        page.template,
        {
            "page": page,
            "pages": [{"key": p.key, "label": p.label, "mine": p.key in mine} for p in help_pages.PAGES],
        },
    )
