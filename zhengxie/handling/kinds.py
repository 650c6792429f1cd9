"""What differs between the kinds of routed items, registered once per kind.

A module calls `register(Kind(...))` in its AppConfig.ready (proposals/apps.py is the example). The
spine reads the numbers through settings keys named after the kind's prefix, so an administrator sets
them per organisation (`/manage/` → organisation settings) and no module copies deadline code:

- `<prefix>.reply_days`            time to reply, from assignment (working days when `working_days`)
- `<prefix>.yellow_days`           the light turns yellow this many days before the deadline
- `<prefix>.acknowledge_days`      working days to acknowledge receipt (签收) before the light turns yellow
- `<prefix>.contact_days`          working days to record a contact with the proposer (0: not required)
- `<prefix>.change_request_days`   working days after receipt in which a unit may ask for another unit
- `<prefix>.evaluation_days`       working days the raters have to rate a reply
- `<prefix>.rehandle_days`         time to reply again after 不满意
- `<prefix>.max_extension_days`    延期 at most this many days after assignment (kinds with a limit only)
- `<prefix>.result_classes`        reply classes (A/B/C …) when `uses_classes`
- `<prefix>.followup_classes`      reply classes that open a follow-up (跟踪落实)
- `<prefix>.followup_report_days`  days without a progress report before the unit is reminded
- `<prefix>.head_signoff`          a handler's reply waits for the unit head's 签发 (default off)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from zhengxie.core import orgsettings


def _no_page(case) -> str:
    return ""


def _nobody(case, user) -> bool:
    return False


def _no_materials(case, user) -> list:
    return []


def _case_page(case) -> str:
    from django.urls import reverse

    return reverse("handling:case", args=[case.pk])


def _case_acknowledge(case) -> str:
    from django.urls import reverse

    return reverse("handling:case_action", args=[case.pk, "acknowledge"])


def _flow_extend(*, user, case, new_deadline, reason):
    from .services import flow

    return flow.extend(user=user, case=case, new_deadline=new_deadline, reason=reason)


@dataclass(frozen=True)
class Kind:
    name: str  # stored in Case.kind
    label: str  # 提案, 社情民意 …
    prefix: str  # settings prefix
    reply_days: int = 90
    working_days: bool = False  # reply_days counted in working days (微建议: 15 working days)
    yellow_days: int = 15
    acknowledge_days: int = 5
    contact_days: int = 15
    change_request_days: int = 10
    evaluation_days: int = 15
    rehandle_days: int = 30
    # 延期: the latest deadline an extension may set, in days after the assignment (proposals: 180); 0: no
    # limit. The board's 延期 link, the services and the demo read it through services.supervision.
    max_extension_days: int = 0
    uses_classes: bool = True
    result_classes: tuple[str, ...] = ("A", "B", "C")
    followup_classes: tuple[str, ...] = ("B",)
    followup_report_days: int = 90
    # 签发: a handler's reply waits for the unit head, who signs it off or returns it (services.signoff).
    head_signoff: bool = False
    # Who rates a reply: "signers" (each proposer), "citizen" (the sender with a tracking code),
    # "group" (a supervision group), "office" (staff) — shown in the inbox and used by may_rate.
    raters: str = "signers"
    # What 不满意 does: "rehandle" (the unit replies again within rehandle_days) or "note" (recorded only).
    on_unsatisfied: str = "rehandle"
    # When several raters rate a flow kind's reply (services.flow): "first" — the first rating decides;
    # "all" — as proposals with joint signers: 不满意 from any rater sends the unit back at once, and the
    # case closes only when every member rater (each author) has rated every reply; raters who are not
    # members (the office rating in an item's stead, a citizen) decide as one, the first rating.
    rating_rule: str = "first"
    # The item model ("proposals.Proposal"), with a `case` link; when it keeps its own `light` column the
    # daily job writes the new light there too.
    item_model: str = ""
    # The item's own link to its handling unit, "app_label.Model.field" (a model with a `case` link and a
    # HandlingUnit foreign key: "opinions.Instruction.unit"), read by the module's pages, lists and figures
    # without the case: a granted 申请调整 of the lead unit points it at the new unit in the same
    # transaction (services.units.decide_change → follow_unit). "": the item keeps no unit of its own.
    item_unit: str = ""
    # Item statuses in which late nodes (签收, 联系) turn the light yellow; empty: all of the handling stage.
    node_statuses: tuple[str, ...] = ()
    # The staff office that runs this kind (core.models.Office: proposal, info …).
    office: str = ""
    # The office's name in messages (提案委员会（提案科）, 信息科 …).
    office_label: str = "政协机关"
    # Who rates, in messages (提案人, 建议人 …).
    rater_label: str = "提出人"
    # What the item's author is called in messages (提案人, 信息报送人, 建议人 …).
    proposer_label: str = "提出人"
    # The kind has no workflow of its own: the spine's generic one (services/flow.py) runs it on the case
    # (assigned → acknowledged → replied → closed, or rehandling after 不满意), and the case page
    # /handling/cases/<id>/ is its page. Unless given, `url` is that page, `acknowledge_url` its 签收 action
    # and `extend` the flow's 延期 (so the 督办 board's 延期 works).
    flow: bool = False
    # Item hooks (the module's own functions): the page of an item, and where it came from (提案人 …).
    url: Callable = field(default=_no_page, compare=False)
    source: Callable = field(default=_no_page, compare=False)
    # The short name of where the kind's items come from (社情民意批示, 民主监督 …): an inbox row's 来源 when
    # the kind gives no `sources`. Default: `label`.
    source_label: str = ""
    # sources(cases) -> {case_id: text}: where each of these items came from, for the inbox rows' 来源 (the
    # 批示 and its leader, the consultation's title, the proposer …) — never the item's own number, which the
    # row's title already shows; one query for all the cases of a page.
    sources: Callable | None = field(default=None, compare=False)
    # item_url(case) -> str: the item's own page (the 社情民意 item of a 批示), linked from the case page
    # when it is not the case page itself; "" when there is none.
    item_url: Callable = field(default=_no_page, compare=False)
    # Whether the handling unit may open item_url: False when the item's page is the committee's own (a
    # supervision group's lists, a 社情民意 item), so the unit is not sent to a page it cannot see.
    units_see_item: bool = True
    # acknowledge_url(case) -> str: the page action (POST, with `next`) by which a unit acknowledges
    # receipt of the item, so that the inbox offers 签收 on each row; "" when the item page must be opened.
    acknowledge_url: Callable = field(default=_no_page, compare=False)
    # What a unit attaches to its reply (the 答复 form, 上传 after replying, the API's /letter): its name
    # (答复函, 整改佐证), a note on what it is, the core.uploads kinds accepted (each file checked by its
    # content; photos are stored re-encoded without EXIF/GPS, core.uploads.clean_image), and whether a reply
    # carries several files (Reply.files, more addable later) or one letter (Reply.letter, replaceable).
    reply_file_label: str = "答复函"
    reply_file_note: str = "已签发盖章，PDF 或 Word .docx"
    reply_file_types: tuple[str, ...] = ("pdf", "docx")
    reply_file_many: bool = False
    # reply_template_url(case) -> str: a reply letter template (答复函模板) the replying unit downloads from
    # its inbox row; "" when the kind has none.
    reply_template_url: Callable = field(default=_no_page, compare=False)
    # materials(case, user) -> list[dict]: what the replying unit needs of the item to act on it, shown on
    # the case page (事项材料) and in the API to whoever may see the case: each {"title", "text", "files":
    # [{"name", "url", "is_image"}]} — the files' downloads checked by the module's own rules. A 整改 item
    # gives its requirement and the group's evidence, which the unit cannot open on the group's page; a
    # 批示落实 the 批示 and the 社情民意 information as issued; a 微建议 the citizen's text and photos; a 协商建议
    # or 视察调研建议 its text under its outcome's or report's title. Never personal data the unit does not
    # need (authors, phones); one or two queries, reusing the kind's cached item.
    materials: Callable = field(default=_no_materials, compare=False)
    # may_view(case, user) -> bool: whether this user may see the item (the module's visibility rule).
    may_view: Callable = field(default=_nobody, compare=False)
    # may_rate(case, user) -> bool: whether this user rates the case's replies (the module's rule).
    may_rate: Callable = field(default=_nobody, compare=False)
    # raters_users(case) -> list[User]: who is asked to rate a reply (flow kinds). None: the staff of the
    # kind's office in the case's organisation whom may_rate lets rate (often nobody: then say who).
    raters_users: Callable | None = field(default=None, compare=False)
    # extend(user=, case=, new_deadline=, reason=): the module's 延期 service (the 督办 board calls it).
    extend: Callable | None = field(default=None, compare=False)
    # Called after a case closes (办结), e.g. to credit duty points.
    on_close: Callable | None = field(default=None, compare=False)
    # on_step(case_id): called in the step's transaction after each timeline step in STEPS (签收, 答复,
    # 签发, 评价 …) whoever wrote it, so the module's item can follow its case (handling/receivers.py).
    on_step: Callable | None = field(default=None, compare=False)

    def __post_init__(self):
        if not self.flow:
            return
        # Frozen: defaults filled in the dataclass's own way.
        if self.url is _no_page:
            object.__setattr__(self, "url", _case_page)
        if self.acknowledge_url is _no_page:
            object.__setattr__(self, "acknowledge_url", _case_acknowledge)
        if self.extend is None:
            object.__setattr__(self, "extend", _flow_extend)

    def sources_of(self, cases) -> dict[int, str]:
        """来源 of these cases' inbox rows: the kind's `sources`, else its short name (never the number)."""
        found = self.sources(cases) if self.sources is not None and cases else {}
        head = self.source_label or self.label
        return {c.pk: found.get(c.pk) or head for c in cases}

    def setting(self, organisation, key: str):
        return orgsettings.get(organisation, f"{self.prefix}.{key}")

    def days(self, organisation, key: str) -> int:
        return int(self.setting(organisation, key))


def sources_from(cases, items, text) -> dict[int, str]:
    """A kind's `sources` from its items: `items` a queryset of the item model (with what `text` reads
    selected), `text(item)` the 来源 of one — the same function as the kind's single `source(case)` uses."""
    found = items.in_bulk([c.object_id for c in cases])
    return {c.pk: text(found[c.object_id]) for c in cases if c.object_id in found}


KINDS: dict[str, Kind] = {}

_SETTINGS = (
    ("reply_days", "办理答复期限({unit})"),
    ("yellow_days", "到期前多少天亮黄灯"),
    ("acknowledge_days", "承办单位签收期限(自交办起，工作日)"),
    ("contact_days", "承办单位联系提出人期限(自交办起，工作日；0为不要求)"),
    ("change_request_days", "承办单位申请调整期限(自签收起，工作日)"),
    ("evaluation_days", "评价期限(工作日)"),
    ("rehandle_days", "不满意重新办理期限(天)"),
    ("max_extension_days", "延期后最长办理期限(自交办起，天)"),
    ("result_classes", "答复类别"),
    ("followup_classes", "需跟踪落实的答复类别"),
    ("followup_report_days", "跟踪落实进展报告周期(天，逾期未报则提醒)"),
    ("head_signoff", "答复须经承办单位负责人签发(经办人拟稿，负责人签发或退回)"),
)


def register(kind: Kind) -> Kind:
    """Register a kind and its settings (idempotent: a kind registered twice keeps the first)."""
    if kind.name in KINDS:
        return KINDS[kind.name]
    KINDS[kind.name] = kind
    for key, label in _SETTINGS:
        default = getattr(kind, key)
        if key == "max_extension_days" and not default:
            continue  # the kind sets no limit
        if isinstance(default, tuple):
            default = list(default)
        full = f"{kind.prefix}.{key}"
        if full not in orgsettings.DEFAULTS:
            unit = "自交办起，工作日" if kind.working_days else "自交办起，天"
            orgsettings.register(full, default, f"{kind.label}{label.format(unit=unit)}")
    return kind


def get(name: str) -> Kind:
    return KINDS[name]


def choices() -> list[tuple[str, str]]:
    return [(k.name, k.label) for k in KINDS.values()]
