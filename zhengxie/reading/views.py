"""书香政协 pages: the recommended books with the member's check-in form and the notes wall; staff add books
and see each member's reading of the year."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate

from . import selectors, services
from .forms import BookForm, CheckInForm


def _year(request) -> int:
    value = request.GET.get("year", "")
    today = timezone.localdate().year
    return int(value) if value.isdigit() and 2000 <= int(value) <= today + 1 else today


def _add_error(form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def index(request):
    user = request.user
    year = _year(request)
    books = list(selectors.books(user, year))
    member = services.member_of(user)
    org = selectors.committee_of(user)
    form = CheckInForm(
        request.POST or None, books=books, initial={"read_on": timezone.localdate(), "shared": True}
    )
    status = 200
    if request.method == "POST":
        if member is None:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                log = services.check_in(
                    user,
                    book=d["book"],
                    read_on=d["read_on"],
                    minutes=d["minutes"] or 0,
                    note=d["note"],
                    shared=d["shared"],
                )
            except ServiceError as exc:
                _add_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "已打卡。" + ("读书笔记已计入履职。" if log.is_note else ""))
                return redirect("reading:index")
        else:
            status = 422
    return render(
        request,
        "reading/index.html",
        {
            "year": year,
            "books": books,
            "member": member,
            "form": form,
            "mine": selectors.my_logs(member),
            "wall": selectors.notes_wall(user),
            "manage": org is not None and services.may_manage(user, org),
            "book_form": BookForm(),
            "note_min": services.note_min_chars(org) if org else 0,
        },
        status=status,
    )


@login_required
@require_POST
def book_add(request):
    form = BookForm(request.POST)
    if form.is_valid():
        try:
            services.add_book(request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已加入推荐书目。")
    else:
        messages.error(request, "请填写书名（不超过120字）。")
    return redirect("reading:index")


@login_required
def members_page(request):
    user = request.user
    org = selectors.committee_of(user)
    if org is None or not services.may_manage(user, org):
        raise Http404
    year = _year(request)
    page, qs = paginate(request, selectors.member_counts(org, year), per_page=50)
    attended = selectors.activities_attended([m.pk for m in page.object_list], year)
    for m in page.object_list:
        m.activities = attended.get(m.pk, 0)
    return render(request, "reading/members.html", {"page": page, "qs": qs, "year": year})
