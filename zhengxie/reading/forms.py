from django import forms

from zhengxie.core.forms import BootstrapFormMixin


class CheckInForm(BootstrapFormMixin, forms.Form):
    book = forms.TypedChoiceField(label="书目", coerce=int)
    read_on = forms.DateField(label="阅读日期", widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(label="阅读时长（分钟）", min_value=0, max_value=600, required=False)
    note = forms.CharField(
        label="读书笔记（可选）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "写下读后的体会；达到规定字数计为读书笔记"}),
    )
    shared = forms.BooleanField(label="在读书交流中公开", required=False, initial=True)

    def __init__(self, *args, books=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["book"].choices = [(b.pk, f"《{b.title}》{b.author}") for b in books]


def _hint(text: str, label: str = "") -> dict:
    return {"placeholder": text, "aria-label": label or text}


class BookForm(BootstrapFormMixin, forms.Form):
    # The page lays the fields in one row without labels: each says what it is inside the box.
    title = forms.CharField(
        label="书名",
        max_length=120,
        widget=forms.TextInput(attrs=_hint("书名（必填）", "书名")),
    )
    author = forms.CharField(
        label="作者", max_length=80, required=False, widget=forms.TextInput(attrs=_hint("作者"))
    )
    category = forms.CharField(
        label="类别", max_length=20, required=False, widget=forms.TextInput(attrs=_hint("类别"))
    )
    summary = forms.CharField(
        label="推荐语",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **_hint("推荐语（可选）", "推荐语")}),
    )
