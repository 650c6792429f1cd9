"""Cross-access tables of 民主监督 (merged into tests/security/test_cross_access.py): every page route and
API operation with an id, attacked with 青川县's demo objects by 石门区's users."""


def _item(w):
    """A rectification item of a 青川县 group (items carry no organisation of their own)."""
    i = w.first("supervision.Item", supervision__organisation=w.county, list="rectification")
    return i, {"pk": i.pk}


def mappings(m):
    group = m.pk("supervision.Supervision")
    vote = m.pk("supervision.Selection")
    item = ("county", _item)
    return {
        "PAGES": {
            **{f"supervision:{name}": [group] for name in "detail add_item rate finish close report".split()},
            "supervision:evidence": [item],
            "supervision:confirm": [item],
            **{f"supervision:{name}": [vote] for name in "vote ballot paper vote_close pick".split()},
        },
        "API": {
            **{
                f"supervision_api_{op}": [m._api(group, pk="supervision_id")]
                for op in (
                    "get_supervision add_supervision_item rate_supervision finish_supervision "
                    "close_supervision supervision_report"
                ).split()
            },
            **{
                f"supervision_api_{op}": [m._api(item, pk="item_id")]
                for op in "add_supervision_evidence confirm_supervision_item".split()
            },
            **{
                f"supervision_api_{op}": [m._api(vote, pk="vote_id")]
                for op in (
                    "get_supervision_vote cast_supervision_ballot enter_supervision_paper "
                    "close_supervision_vote pick_supervision_vote"
                ).split()
            },
        },
        "PAGE_EXEMPT": {},
        "API_EXEMPT": {},
    }
