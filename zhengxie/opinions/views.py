"""Pages of 社情民意信息 (thin: parse, call a service or selector, render)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import services


@login_required
def detail(request, pk):
    o = services._load(request.user, pk, lock=False)
    return render(request, "opinions/detail.html", {"opinion": o})
