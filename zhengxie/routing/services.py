"""智能分办: for an incoming item, the suggested category and handling units with the reason (the past
items most like it and where they went); training from the organisation's own history.

    suggest(user=, kind=, item=) -> dict      # the card and the API; staff of the item's office only
    adopt(user=, kind=, item=) -> dict        # 采用: records the choice, returns what to fill in
    record_choice(kind=, item=, user=, adopted=False)   # what staff finally chose (routing.receivers)
    train(organisation) -> RoutingModel | None           # `manage.py trainrouting`, the nightly job, the demo

Kinds: "proposal" (类别 at 立案, units at 交办), "opinion" (社情民意: 类别 at 录用/编辑) and
"public_suggestion" (微建议: the unit at 交办). Units are shared across kinds; categories are per kind.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Forbidden
from zhengxie.core.models import HandlingUnit, Organisation
from zhengxie.handling.models import ROLE_ORDER

from . import learn
from .models import RoutingChoice, RoutingModel

logger = logging.getLogger("zhengxie.routing")
UNIT_HEAD = "units"
REASONS = 3
TOP_UNITS = 3
CO_UNIT_SCORE = 0.2  # 采用 fills a further unit in as 会办 only when the model is this sure of it


# --- the kinds ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    categories_key: str  # "" when the kind has no category

    @property
    def head(self) -> str:
        return f"category:{self.kind}"


SOURCES = {
    "proposal": Source("proposal", "提案", "proposals.categories"),
    "opinion": Source("opinion", "社情民意", "opinions.categories"),
    "public_suggestion": Source("public_suggestion", "微建议", ""),
}


def _item_text(kind: str, item) -> str:
    if kind == "proposal":
        return learn.item_text(item.title, f"{item.reasons}\n{item.suggestions}")
    if kind == "opinion":
        return learn.item_text(item.display_title, item.display_content)
    return learn.item_text(item.title, item.content)


def _get(user, kind: str, pk):
    """The item if the user may see it (else 404), and whether they are staff of its office (else 403)."""
    if kind == "proposal":
        from zhengxie.core.errors import NotFound
        from zhengxie.proposals import selectors
        from zhengxie.proposals.rules import is_proposal_office

        # The visibility rule of the proposal pages, without the detail page's joins.
        item = (
            selectors.visible_proposals(user)
            .filter(pk=int(pk))
            .only("id", "organisation_id", "title", "reasons", "suggestions", "category", "case_id", "status")
            .first()
        )
        if item is None:
            raise NotFound("未找到")
        return item, is_proposal_office(user, item)
    if kind == "opinion":
        from zhengxie.opinions import selectors
        from zhengxie.opinions.rules import is_info_office

        item = selectors.get_opinion(user, pk)
        return item, is_info_office(user, item.organisation)
    if kind == "public_suggestion":
        from zhengxie.suggestions import selectors
        from zhengxie.suggestions.rules import can_moderate

        item = selectors.get(user, pk)
        return item, can_moderate(user, item)
    from zhengxie.core.errors import NotFound

    raise NotFound("未找到")


def _item_units(case_id) -> list[int]:
    """The units an item went to: lead (or parallel) first, then co-units."""
    from zhengxie.handling.models import Assignment

    if not case_id:
        return []
    rows = Assignment.objects.filter(case_id=case_id, is_active=True).values_list("role", "id", "unit_id")
    return [u for _, _, u in sorted((ROLE_ORDER.get(r, 3), i, u) for r, i, u in rows)]


# --- the model of an organisation, cached per process with a version check ------------------------------

_cache: dict[int, tuple[tuple, learn.Model]] = {}
_lock = threading.Lock()


def model_for(organisation_id: int) -> learn.Model | None:
    """The organisation's model: one small query for its version (and time: a version number can come
    back after a rolled-back training), the blob only when this process has not loaded that version."""
    rows = RoutingModel.objects.filter(organisation_id=organisation_id)
    stamp = rows.values_list("version", "trained_at").first()
    if stamp is None:
        return None
    hit = _cache.get(organisation_id)
    if hit and hit[0] == stamp:
        return hit[1]
    row = rows.values_list("version", "trained_at", "blob").first()
    if row is None:
        return None
    model = learn.Model.from_bytes(row[2])
    with _lock:
        _cache[organisation_id] = ((row[0], row[1]), model)
    return model


# --- training -------------------------------------------------------------------------------------------


def training_rows(organisation_id: int) -> list[dict]:
    """The organisation's filed items: {kind, id, text, category, units}. A RoutingChoice (staff's own
    choice, 采用 or overridden) replaces what the item row says."""
    from zhengxie.opinions.models import Opinion
    from zhengxie.proposals.models import Proposal
    from zhengxie.suggestions.models import Suggestion

    PS, OS, SS = Proposal.Status, Opinion.Status, Suggestion.Status
    rows: dict[tuple[str, int], dict] = {}
    filed = [PS.ACCEPTED, PS.ASSIGNED, PS.HANDLING, PS.REPLIED, PS.REHANDLING, PS.CLOSED]
    from zhengxie.handling.models import Assignment

    units_by_case: dict[int, list[tuple[int, int, int]]] = {}
    for case_id, role, pk, unit_id in Assignment.objects.filter(
        is_active=True, case__organisation_id=organisation_id
    ).values_list("case_id", "role", "id", "unit_id"):
        units_by_case.setdefault(case_id, []).append((ROLE_ORDER.get(role, 3), pk, unit_id))
    units = {c: [u for _, _, u in sorted(v)] for c, v in units_by_case.items()}
    for p in (
        Proposal.objects.filter(organisation_id=organisation_id, status__in=filed)
        .only("id", "title", "reasons", "suggestions", "category", "case_id")
        .iterator(chunk_size=500)
    ):
        rows[("proposal", p.id)] = {
            "kind": "proposal",
            "id": p.id,
            "text": _item_text("proposal", p),
            "title": p.title,
            "category": p.category,
            "units": units.get(p.case_id, []),
        }
    for o in (
        Opinion.objects.filter(organisation_id=organisation_id, status__in=[OS.ACCEPTED, OS.FILED])
        .exclude(category="")
        .only("id", "title", "content", "edited_title", "edited_content", "category")
        .iterator(chunk_size=500)
    ):
        rows[("opinion", o.id)] = {
            "kind": "opinion",
            "id": o.id,
            "text": _item_text("opinion", o),
            "title": o.display_title,
            "category": o.category,
            "units": [],
        }
    for s in (
        Suggestion.objects.filter(
            organisation_id=organisation_id,
            routed_to=Suggestion.RoutedTo.UNIT,
            status__in=[SS.ROUTED, SS.REPLIED, SS.CLOSED],
        )
        .only("id", "title", "content", "case_id")
        .iterator(chunk_size=500)
    ):
        rows[("public_suggestion", s.id)] = {
            "kind": "public_suggestion",
            "id": s.id,
            "text": _item_text("public_suggestion", s),
            "title": s.title,
            "category": "",
            "units": units.get(s.case_id, []),
        }
    for c in RoutingChoice.objects.filter(organisation_id=organisation_id).iterator(chunk_size=500):
        old = rows.get((c.kind, c.object_id), {})
        rows[(c.kind, c.object_id)] = {
            "kind": c.kind,
            "id": c.object_id,
            "text": c.text or old.get("text", ""),
            "title": old.get("title", ""),
            "category": c.category or old.get("category", ""),
            "units": list(c.unit_ids) or old.get("units", []),
        }
    return list(rows.values())


def fit(rows: list[dict]) -> learn.Model:
    texts = [r["text"] for r in rows]
    heads: dict[str, list] = {}
    items = {
        i: {
            "kind": r["kind"],
            "id": r["id"],
            "title": r.get("title") or r["text"].split("。", 1)[0][:100],
            "category": r["category"],
            "units": [int(u) for u in r["units"]],
        }
        for i, r in enumerate(rows)
        if r["category"] or r["units"]
    }
    for i, r in enumerate(rows):
        if r["category"]:
            heads.setdefault(SOURCES[r["kind"]].head, []).append((i, r["category"], 1.0))
        for n, u in enumerate(r["units"]):
            heads.setdefault(UNIT_HEAD, []).append((i, int(u), 1.0 if n == 0 else 0.5))
    return learn.train(texts, heads, items=items)


def train(organisation) -> RoutingModel | None:
    """Train the organisation's model from its history and store it (the version grows). None when the
    organisation has nothing filed yet."""
    org_id = getattr(organisation, "pk", organisation)
    rows = training_rows(org_id)
    if not rows:
        return None
    started = timezone.now()
    model = fit(rows)
    meta = {
        "items": len(rows),
        "heads": {name: len(h.classes) for name, h in model.heads.items()},
        "vocabulary": len(model.vocab),
        "seconds": round((timezone.now() - started).total_seconds(), 2),
        "choices": RoutingChoice.objects.filter(organisation_id=org_id).count(),
    }
    with transaction.atomic():
        row, _ = RoutingModel.objects.select_for_update().get_or_create(
            organisation_id=org_id, defaults={"blob": b""}
        )
        row.version += 1
        row.blob = model.to_bytes()
        row.trained_at = timezone.now()
        row.samples = len(rows)
        row.meta = meta
        row.save()
        audit.record(None, "routing.train", row, after=meta, organisation=Organisation(pk=org_id))
    return row


def train_all() -> dict:
    done = {}
    for org_id in Organisation.objects.values_list("pk", flat=True):
        row = train(org_id)
        if row is not None:
            done[org_id] = row.samples
    return done


# --- suggestion -----------------------------------------------------------------------------------------


def _suggestion(kind: str, item, model: learn.Model | None) -> dict:
    """The model's category and units for the item, and the past items of the same kind most like it with
    where they went (from the model's own vectors: no search, one query for all the units' names)."""
    src = SOURCES[kind]
    text = _item_text(kind, item)
    out = {
        "category": "",
        "category_confidence": 0.0,
        "units": [],
        "reasons": [],
        "trained": model is not None,
    }
    if model is None:
        return out
    feats = model.features(text)
    cats = model.rank(src.head, text, k=1, feats=feats)
    if cats and src.categories_key:
        allowed = set(orgsettings.get(item.organisation, src.categories_key))
        if cats[0][0] in allowed:
            out["category"], out["category_confidence"] = cats[0][0], round(cats[0][1], 3)
    ranked = model.rank(UNIT_HEAD, text, k=TOP_UNITS, feats=feats)
    near, titles = [], set()
    for it, sim in model.nearest(feats, kind=kind, exclude_id=item.pk, k=REASONS * 3):
        if it["title"] not in titles and len(near) < REASONS:  # one line per matter, not its repeats
            titles.add(it["title"])
            near.append((it, sim))
    wanted = {u for u, _ in ranked} | {u for it, _ in near for u in it["units"]}
    names, active = {}, set()
    if wanted:
        for pk, name, is_active in HandlingUnit.objects.filter(
            pk__in=wanted, organisation_id=item.organisation_id
        ).values_list("pk", "name", "is_active"):
            names[pk] = name
            if is_active:
                active.add(pk)
    out["units"] = [
        {"id": u, "name": names[u], "score": round(s, 3)} for u, s in ranked if u in names and u in active
    ]
    out["reasons"] = [
        {
            "id": it["id"],
            "kind": it["kind"],
            "title": it["title"],
            "category": it["category"],
            "units": [names[u] for u in it["units"] if u in names],
            "score": round(sim, 3),
        }
        for it, sim in near
    ]
    return out


def suggest(*, user, kind: str, item) -> dict:
    """The suggestion for staff of the item's office: 404 when the item is invisible, 403 for others."""
    if kind not in SOURCES:
        from zhengxie.core.errors import NotFound

        raise NotFound("未找到")
    obj, staff = _get(user, kind, getattr(item, "pk", item))
    if not staff:
        raise Forbidden("只有负责该事项的机关工作人员可以查看分办建议。")
    out = _suggestion(kind, obj, model_for(obj.organisation_id))
    out["item"] = obj
    return out


def record_choice(*, kind: str, item, user=None, adopted: bool = False, suggestion: dict | None = None):
    """Store what the item now says (its category, the units it went to) as staff's choice, beside what
    was suggested; `adopted` when staff clicked 采用. The next training reads it first."""
    if kind not in SOURCES:
        return None
    category = getattr(item, "category", "") or ""
    unit_ids = _item_units(getattr(item, "case_id", None))
    if suggestion is None:
        suggestion = _suggestion_quiet(kind, item)
    sug_cat = suggestion.get("category", "")
    sug_units = [u["id"] for u in suggestion.get("units", [])]
    old = RoutingChoice.objects.filter(kind=kind, object_id=item.pk).first()
    overridden = bool(
        (category and sug_cat and category != sug_cat)
        or (unit_ids and sug_units and unit_ids[0] != sug_units[0])
    )
    values = {
        "organisation_id": item.organisation_id,
        "text": _item_text(kind, item),
        "category": category,
        "unit_ids": unit_ids,
        "suggested_category": sug_cat,
        "suggested_unit_ids": sug_units,
        "adopted": adopted or bool(old and old.adopted and not overridden),
        "overridden": overridden,
        "chosen_by": user if getattr(user, "pk", None) else None,
        "updated_at": timezone.now(),
    }
    choice, _ = RoutingChoice.objects.update_or_create(kind=kind, object_id=item.pk, defaults=values)
    return choice


def _suggestion_quiet(kind: str, item) -> dict:
    """The suggestion as the model would give it now (no reasons: those are for people)."""
    model = model_for(item.organisation_id)
    if model is None:
        return {}
    src = SOURCES[kind]
    text = _item_text(kind, item)
    cats = model.rank(src.head, text, k=1)
    units = model.rank(UNIT_HEAD, text, k=TOP_UNITS)
    return {"category": cats[0][0] if cats else "", "units": [{"id": u} for u, _ in units]}


def adopt(*, user, kind: str, item) -> dict:
    """采用 (one click): what the form should hold, and the click remembered for the next training."""
    sug = suggest(user=user, kind=kind, item=item)
    obj = sug["item"]
    with transaction.atomic():
        RoutingChoice.objects.update_or_create(
            kind=kind,
            object_id=obj.pk,
            defaults={
                "organisation_id": obj.organisation_id,
                "text": _item_text(kind, obj),
                "suggested_category": sug["category"],
                "suggested_unit_ids": [u["id"] for u in sug["units"]],
                "adopted": True,
                "chosen_by": user,
                "updated_at": timezone.now(),
            },
        )
        audit.record(
            user,
            "routing.adopt",
            obj,
            after={"category": sug["category"], "units": [u["id"] for u in sug["units"]]},
            organisation=obj.organisation,
        )
    return sug
