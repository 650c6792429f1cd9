"""Free text from a form or the API, checked the same way by the services that share a rule (#8).

- `plain_text`: as typed, stripped; None is empty and anything but text refused — the services of the
  handling spine (handling, proposals, opinions) and 微建议, which then apply their own bounds
  (handling.services.units.bounded) and required-messages.
- `limited_text`: a stripped text refused when it is not text, missing (if required) or over `limit`
  characters, the message naming the field and how long it is — 书香政协 and 协商选题.
"""

from __future__ import annotations

from .errors import Invalid


def plain_text(value, name: str) -> str:
    """The text stripped, "" for None; anything else than text is refused: 「{name}格式不正确。」."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{name}格式不正确。")
    return value.strip()


def limited_text(value, label: str, field: str, *, limit: int, required: bool = False) -> str:
    """The text stripped: 「{label}须为文本。」, 「请填写{label}。」 (when required) or
    「{label}不能超过{limit}个字（现为N字）。」, each by its field."""
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{label}须为文本。", field=field)
    value = (value or "").strip()
    if required and not value:
        raise Invalid(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise Invalid(f"{label}不能超过{limit}个字（现为{len(value)}字）。", field=field)
    return value
