"""撤回 a submitted proposal before review, and delete a draft: the first proposer's two ways back
(services.proposal_withdraw / proposal_delete_draft). Each page asks once more before it acts."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from zhengxie.core.errors import ServiceError

from .. import selectors, services


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤回说明（选填）",
        required=False,
        max_length=200,
        error_messages={"max_length": "撤回说明不能超过 200 字。"},
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "class": "form-control",
                "data-maxchars": 200,
                "data-charcount": "reason-count",
                "placeholder": "例如：需补充调研材料后再提交",
            }
        ),
    )


@login_required
def withdraw(request, pk):
    p = selectors.get_proposal(request.user, pk)
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_withdraw(user=request.user, proposal=p, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status
        else:
            messages.success(request, "提案已撤回，退回草稿。修改后可再次提交。")
            return redirect("proposals:detail", p.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "proposals/withdraw.html",
        {"p": p, "form": form, "mode": "withdraw", "allowed": selectors.allowed_actions(request.user, p)},
        status=status,
    )


@login_required
def delete(request, pk):
    p = selectors.get_proposal(request.user, pk)
    if request.method == "POST":
        try:
            services.proposal_delete_draft(user=request.user, proposal=p)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("proposals:detail", p.pk)
        messages.success(request, f"草稿《{p.title}》已删除。")
        return redirect(reverse("proposals:mine"))
    return render(
        request,
        "proposals/withdraw.html",
        {"p": p, "mode": "delete", "allowed": selectors.allowed_actions(request.user, p)},
    )
