"""Cross-access tables of 换班 (studios' duty swaps; merged into tests/security/test_cross_access.py): the
pages and API operations with an id, attacked with 青川县's demo swap and duty day by 石门区's users."""


def mappings(m):
    swap = m.pk("studios.DutySwap", status="asked")
    studio = m.pk("studios.Studio")
    duty = m.pk("studios.DutySlot", status="planned")
    return {
        "PAGES": {
            "studios:swaps": [studio],
            "studios:swap_ask": [duty],
            "studios:swap_action": [m.with_kwargs(swap, action="accept")],
        },
        "API": {
            "studios_api_list_swaps": [m._api(studio)],
            "studios_api_ask_swap": [m._api(duty)],
            **{f"studios_api_{op}_swap": [m._api(swap)] for op in ("accept", "decline", "decide", "cancel")},
        },
        "PAGE_EXEMPT": {},
        "API_EXEMPT": {},
    }
