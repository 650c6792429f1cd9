"""Cross-access tables of issue 15's 界别召集人, 委员小组 and 履职承诺 (merged into
tests/security/test_cross_access.py): 青川县's groups, sectors and pledges attacked by 石门区's users, and the
managing pages and writes attacked by 青川县's own members (member2 leads a demo group: still not staff)."""

import datetime


def mappings(m):
    year = datetime.date.today().year

    def group(scenario):
        return m.pk("members.MemberGroup", scenario=scenario)

    def sector(scenario):
        return m.pk("members.Sector", scenario=scenario)

    pledge_county = m.with_kwargs(m.pk("members.Member"), year=year)
    pledge_draft = m._member1(year=year)
    return {
        "PAGES": {
            "members:group_edit": [group("county"), group("draft")],
            "members:group_delete": [group("county"), group("draft")],
            "members:sector_conveners": [sector("county"), sector("draft")],
            "members:pledge_edit": [pledge_county, pledge_draft],
        },
        "API": {
            "members_api_get_conveners": [m._api(sector("county"), pk="sector_id")],
            "members_api_put_conveners": [
                m._api(sector("county"), pk="sector_id"),
                m._api(sector("draft"), pk="sector_id"),
            ],
            "members_api_get_group": [m._api(group("county"), pk="group_id")],
            "members_api_update_group": [
                m._api(group("county"), pk="group_id"),
                m._api(group("draft"), pk="group_id"),
            ],
            "members_api_delete_group": [
                m._api(group("county"), pk="group_id"),
                m._api(group("draft"), pk="group_id"),
            ],
            "members_api_get_pledge": [
                m._api(pledge_county, pk="member_id"),
                m._api(pledge_draft, pk="member_id"),
            ],
            "members_api_put_pledge": [
                m._api(pledge_county, pk="member_id"),
                m._api(pledge_draft, pk="member_id"),
            ],
        },
        "PAGE_EXEMPT": {},
        "API_EXEMPT": {},
    }
