"""Cross-access tables of 民主评议 (merged into test_cross_access.py): every page route and API operation
with an id, attacked with an object of 青川县 by 石门区's users, and a member's rating (of the open units
round) by other members and a unit user."""


def _round(m, status=None):
    def find(w):
        filters = {"status": status} if status else {}
        r = w.of_county("appraisal.Round", **filters)
        return r, {"pk": r.pk}

    return ("county", find)


def _target(m, key="target_id"):
    def find(w):
        t = w.first("appraisal.Target", round__organisation=w.county)
        return t, {"pk": t.round_id, key: t.pk}

    return ("county", find)


def _rating(scenario):
    """county: any rating of 青川县; draft: a rating in the open units round by a member other than member2
    and member3 (who attack it: neither may add photos to it)."""

    def find(w):
        from zhengxie.appraisal.models import Rating

        qs = Rating.objects.filter(round__organisation=w.county)
        if scenario == "draft":
            qs = qs.filter(round__status="open").exclude(member__user__username__in=("member2", "member3"))
        x = qs.order_by("pk").first()
        assert x is not None, "the demo has appraisal ratings"
        return x, {"rating_id": x.pk}

    return (scenario, find)


def mappings(m):
    ROUND = _round(m)
    pages = {
        f"appraisal:{name}": [ROUND]
        for name in "detail edit targets invite open close publish finish results results_xlsx booklet".split()
    }
    pages["appraisal:target"] = [_target(m)]
    pages["appraisal:rate"] = [_target(m)]
    api_round = m._api(ROUND, pk="round_id")
    api = {
        f"appraisal_api_{op}": [api_round]
        for op in (
            "get_appraisal update_appraisal finish_appraisal add_appraisal_targets upload_appraisal_targets list_appraisal_targets "
            "invite_appraisal_raters open_appraisal close_appraisal publish_appraisal rate_appraisal_target "
            "rate_appraisal_target_with_photos "
            "list_appraisal_ratings appraisal_results"
        ).split()
    }
    api["appraisal_api_add_appraisal_photos"] = [_rating("county"), _rating("draft")]
    return {"PAGES": pages, "PAGE_EXEMPT": {}, "API": api, "API_EXEMPT": {}}
