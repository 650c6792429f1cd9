"""Cross-access tables of 智能分办 (merged into tests/security/test_cross_access.py): the suggestion card,
采用 and their API for a 青川县 proposal, 社情民意 item and 微建议, attacked by 石门区's users."""


def mappings(m):
    items = {"proposal": m.PROPOSAL, "opinion": m.OPINION, "public_suggestion": m.SUGGESTION}
    prefixes = {"proposal": "proposals", "opinion": "opinions", "public_suggestion": "suggestions"}
    return {
        "PAGES": {
            name: [m.with_kwargs(entry, kind=kind) for kind, entry in items.items()]
            for name in ("routing:card", "routing:adopt")
        },
        "API": {
            f"routing_api_{op}_{kind}": [m._api(entry)]
            for kind, entry in items.items()
            for op in ("suggest", "adopt")
            if prefixes[kind]
        },
        "PAGE_EXEMPT": {},
        "API_EXEMPT": {},
    }
