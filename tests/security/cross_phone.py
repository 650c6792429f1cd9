"""Cross-access tables of issue 15's 委员手机端 work (merged into tests/security/test_cross_access.py): a
青川县 proposal withdrawn or a draft deleted by 石门区's users, and the pages with an id it adds."""


def mappings(m):
    return {
        "PAGES": {
            "proposals:withdraw": [m.PROPOSAL, m._draft_proposal()],
            "proposals:delete": [m._draft_proposal()],
        },
        "API": {
            "proposals_api_withdraw": [m.API_PROPOSAL, m._draft_proposal()],
            "proposals_api_delete_draft": [m._draft_proposal()],
        },
        "PAGE_EXEMPT": {},
        "API_EXEMPT": {},
    }
