"""智能分办 in the JSON API: the suggestion for one incoming item, and 采用.

    GET  /api/v1/proposals/{id}/routing-suggestion      (立案审查/交办)
    GET  /api/v1/opinions/{id}/routing-suggestion       (社情民意 录用/编辑: the category)
    GET  /api/v1/suggestions/{id}/routing-suggestion    (微建议 交办: the unit)
    POST the same address + /adopt                      (采用: remembered for the next training)

404 when the caller may not see the item, 403 when they are not staff of its office."""

from __future__ import annotations

from ninja import Router, Schema

from . import services

router = Router(tags=["智能分办"])


class RoutingUnitScore(Schema):
    id: int
    name: str
    score: float


class RoutingReason(Schema):
    id: int
    kind: str
    title: str
    category: str
    units: list[str]
    score: float


class RoutingSuggestionOut(Schema):
    category: str
    category_confidence: float
    units: list[RoutingUnitScore]
    reasons: list[RoutingReason]
    trained: bool


def _out(sug: dict) -> dict:
    return {k: sug[k] for k in ("category", "category_confidence", "units", "reasons", "trained")}


def _pair(prefix: str, kind: str, label: str):
    @router.get(
        f"/{prefix}/{{int:pk}}/routing-suggestion",
        response=RoutingSuggestionOut,
        summary=f"{label}的建议类别与承办单位（依据：最相近的既往件及其去向）",
        operation_id=f"zhengxie_routing_api_suggest_{kind}",
    )
    def get_suggestion(request, pk: int):
        return _out(services.suggest(user=request.user, kind=kind, item=pk))

    @router.post(
        f"/{prefix}/{{int:pk}}/routing-suggestion/adopt",
        response=RoutingSuggestionOut,
        summary=f"采用{label}的分办建议（记为训练数据）",
        operation_id=f"zhengxie_routing_api_adopt_{kind}",
    )
    def adopt(request, pk: int):
        return _out(services.adopt(user=request.user, kind=kind, item=pk))


_pair("proposals", "proposal", "提案")
_pair("opinions", "opinion", "社情民意信息")
_pair("suggestions", "public_suggestion", "微建议")
