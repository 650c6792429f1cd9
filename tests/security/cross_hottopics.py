"""Cross-access tables of 热点 (merged into tests/security/test_cross_access.py): a 青川县 hot topic and
run (the demo computes them), its page, 作为协商选题 and the API, attacked by 石门区's users."""


def mappings(m):
    topic = m.pk("hottopics.HotTopic")
    run = m.pk("hottopics.Run")
    return {
        "PAGES": {
            "hottopics:detail": [topic],
            "hottopics:to_topic": [topic],
            "hottopics:run": [run],
        },
        "API": {
            "hottopics_api_detail": [m._api(topic)],
            "hottopics_api_to_topic": [m._api(topic)],
            "hottopics_api_run": [m._api(run)],
        },
        "PAGE_EXEMPT": {},
        "API_EXEMPT": {},
    }
