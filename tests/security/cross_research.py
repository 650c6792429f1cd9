"""Cross-access tables of 视察调研 (merged into tests/security/test_cross_access.py): every page route and
API operation with an id, attacked with 青川县's demo objects by 石门区's users, and a topic member1 takes
part in by members who do not (member2, member3) and a unit handler."""


def _recommendation(key="pk"):
    """A recommendation of a 青川县 report not yet sent on (recommendations carry no organisation)."""

    def find(w):
        r = w.first("research.Recommendation", topic__organisation=w.county, status="draft")
        return r, {key: r.pk}

    return ("county", find)


def mappings(m):
    topic = m.pk("research.ResearchTopic")
    # 城区交通秩序整治: member1 and others take part, not member2 or member3.
    private = m.pk("research.ResearchTopic", scenario="draft", title="城区交通秩序整治")
    pages = "detail edit status visit finding report_upload report_generate recommendation".split()
    ops = (
        "get_research_topic update_research_topic research_topic_status research_topic_visit "
        "research_topic_finding research_topic_report research_topic_report_generate "
        "research_topic_recommendation"
    ).split()
    return {
        "PAGES": {
            **{f"research:{name}": [topic, private] for name in pages},
            "research:route": [_recommendation()],
        },
        "API": {
            **{
                f"research_api_{op}": [m._api(topic, pk="topic_id"), m._api(private, pk="topic_id")]
                for op in ops
            },
            "research_api_route_research_recommendation": [_recommendation("recommendation_id")],
        },
        "PAGE_EXEMPT": {},
        "API_EXEMPT": {},
    }
