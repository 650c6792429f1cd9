"""Cross-access tables of 疑似重复 (issue 17; merged into tests/security/test_cross_access.py): 合并办理 of a
青川县 微建议 attacked by 石门区's users. The group endpoints carry their ids in the body and are tested in
tests/{proposals,opinions,suggestions}/test_duplicates.py."""


def mappings(m):
    return {
        "PAGES": {},
        "API": {"suggestions_api_merge": [m.API_SUGGESTION]},
        "PAGE_EXEMPT": {},
        "API_EXEMPT": {},
    }
