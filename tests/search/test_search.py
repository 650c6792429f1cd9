"""Full-text search and similar-text detection, on whichever database the suite runs on.

The documents use their own kind ("testdoc") so that proposals indexed by the demo don't interfere.
"""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from zhengxie.search import registry
from zhengxie.search.models import SearchDocument, SearchTerm
from zhengxie.search.services import compact, index_document, remove_document, search_ids, segment, similar

KIND = "testdoc"

# Proposals on many matters: they give the document frequencies a realistic shape.
BACKGROUND = [
    ("关于加强中小学校园安全管理的建议", "校园周边交通秩序混乱，安保力量不足，建议配齐专职保安。"),
    ("关于推进老旧小区改造的建议", "老旧小区管网老化，停车难，建议统筹资金分批改造。"),
    ("关于加快县城污水处理设施建设的提案", "污水收集管网不完善，建议加大投入。"),
    ("关于优化营商环境的建议", "审批环节多，建议推行一网通办。"),
    ("关于加强食品安全监管的建议", "农贸市场抽检不足，建议增加快检设备。"),
    ("关于发展乡村旅游的建议", "乡村旅游产品同质化，建议挖掘文化资源。"),
    ("关于提升基层医疗服务能力的提案", "乡镇卫生院人才流失，建议完善激励机制。"),
    ("关于规范电动自行车停放充电的建议", "楼道充电引发火灾隐患，建议建设集中充电桩。"),
    ("关于加强农田水利设施建设的建议", "灌溉渠道年久失修，建议纳入高标准农田建设。"),
    ("关于推动中小微企业融资的建议", "企业贷款难贷款贵，建议设立风险补偿基金。"),
    ("关于加强未成年人心理健康教育的建议", "心理教师缺乏，建议每校配备专职心理教师。"),
    ("关于完善城乡公交网络的提案", "偏远村组通车率低，建议增开班次。"),
    ("关于加强古村落保护的建议", "传统村落损毁严重，建议编制保护规划。"),
    ("关于促进高校毕业生就业的建议", "返乡就业岗位少，建议开发公益性岗位。"),
    ("关于加强河道综合治理的建议", "河道淤积，建议落实河长制。"),
    ("关于推进垃圾分类工作的建议", "分类投放设施不足，建议加强宣传引导。"),
    ("关于发展特色农产品电商的建议", "物流成本高，建议建设冷链物流中心。"),
    ("关于加强文物保护利用的建议", "文物保护经费不足，建议多渠道筹资。"),
    ("关于解决城区学位紧张问题的提案", "城区学校大班额，建议新建学校。"),
    ("关于加强消防安全的建议", "老旧建筑消防设施缺失，建议开展专项整治。"),
]
AGEING = (
    "关于加快发展农村养老服务的建议",
    "我县农村留守老人多，养老机构少，服务水平不高。建议建设乡镇养老服务中心。",
)
AGEING_REWORDED = "加快农村养老服务体系建设的提案"
UNRELATED = "关于加强中小学体育教师队伍建设的建议"


@pytest.fixture
def orgs(user):
    return user("staff").organisation, user("other").organisation


@pytest.fixture
def corpus(orgs):
    """Background documents 1000.. in our county; returns a function adding more."""
    county, _ = orgs
    for i, (title, body) in enumerate(BACKGROUND):
        index_document(
            kind=KIND, object_id=1000 + i, organisation_id=county.id, title=title, body=body, year=2026
        )

    def add(object_id, title, body="", org=county, year=2026):
        index_document(
            kind=KIND, object_id=object_id, organisation_id=org.id, title=title, body=body, year=year
        )

    return add


def recomputed_frequencies(kind=KIND):
    df = Counter()
    docs = SearchDocument.objects.filter(kind=kind)
    for doc in docs:
        df.update(set(doc.title_tokens.split()) | set(doc.body_tokens.split()))
    df[""] = docs.count()
    return dict(df)


def stored_frequencies(kind=KIND):
    """The sums of the delta rows, and the same after compaction folded them into one row per term."""
    sums = Counter()
    for term, df in SearchTerm.objects.filter(kind=kind).values_list("term", "df"):
        sums[term] += df
    before = {t: n for t, n in sums.items() if n > 0}
    compact(KIND)
    rows = list(SearchTerm.objects.filter(kind=kind).values_list("term", "df"))
    assert len(rows) == len({t for t, _ in rows}), "one row per term after compaction"
    assert dict(rows) == before
    return before


# --- segmentation ----------------------------------------------------------------------------------


def test_segment_in_search_mode_gives_the_word_and_its_parts():
    assert segment("养老服务") == ["养老", "服务", "养老服务"]
    assert segment("养老 服务") == ["养老", "服务"]
    tokens = segment("关于加快发展农村养老服务的建议")
    assert {"农村", "养老", "服务", "养老服务"} <= set(tokens)
    assert "的" not in tokens and "关于" not in tokens


def test_segment_drops_punctuation_lowercases_and_normalises_full_width():
    assert segment("“ＣＯＶＩＤ-19”疫情，防控！") == ["covid", "19", "疫情", "防控"]
    assert segment("APP_下载") == ["app", "下载"]
    assert segment("") == [] and segment("，。！？、 ") == []


# --- search ----------------------------------------------------------------------------------------


def test_a_compound_word_finds_its_parts_and_the_parts_find_the_compound(corpus):
    corpus(1, "农村养老服务调查", "")
    corpus(2, "关于农村养老问题", "应当提供上门服务")
    corpus(3, "关于养老金发放", "按时足额")
    assert set(search_ids(kind=KIND, query="养老服务")) == {1, 2}
    assert set(search_ids(kind=KIND, query="养老 服务")) == {1, 2}
    assert set(search_ids(kind=KIND, query="养老")) == {1, 2, 3}
    assert search_ids(kind=KIND, query="农村 养老金") == []


def test_every_word_of_the_query_is_required(corpus):
    assert search_ids(kind=KIND, query="校园安全") == [1000]
    assert search_ids(kind=KIND, query="校园 火灾") == []
    assert set(search_ids(kind=KIND, query="充电")) == {1007}


def test_title_matches_rank_above_body_matches(corpus):
    corpus(1, "关于城市绿化的建议", "绿道建设滞后，应推进湿地公园建设。")
    corpus(2, "关于建设湿地公园的建议", "保护生态。")
    corpus(3, "关于河湖保护的建议", "湿地公园湿地公园湿地公园，多建湿地公园。")
    ids = search_ids(kind=KIND, query="湿地公园")
    assert ids[0] == 2 and set(ids) == {1, 2, 3}
    assert ids.index(3) < ids.index(1)  # several mentions beat one


def test_limit_and_queries_with_nothing_to_search(corpus):
    assert len(search_ids(kind=KIND, query="建议", limit=3)) == 3
    assert search_ids(kind=KIND, query="") == []
    assert search_ids(kind=KIND, query="的 了 ，。") == []


@pytest.mark.parametrize(
    "query",
    ['"校园', "校园 AND OR NOT", "NEAR(校园", "校园*", "'校园'", "校园 & | ! :", "{title_tokens}:校园"],
)
def test_query_syntax_characters_are_plain_text(corpus, query):
    assert search_ids(kind=KIND, query=query) in ([1000], [])


def test_search_is_scoped_to_the_given_organisations(corpus, orgs):
    county, county2 = orgs
    corpus(1, "关于加强湿地保护的建议", org=county)
    corpus(2, "关于湿地公园建设的建议", org=county2)
    assert set(search_ids(kind=KIND, query="湿地")) == {1, 2}
    assert search_ids(kind=KIND, query="湿地", organisation_ids=[county.id]) == [1]
    assert search_ids(kind=KIND, query="湿地", organisation_ids=[county2.id]) == [2]
    assert search_ids(kind=KIND, query="湿地", organisation_ids=[]) == []


def test_kinds_are_separate(corpus, orgs):
    corpus(1, "关于湿地保护的建议")
    index_document(
        kind="otherkind", object_id=1, organisation_id=orgs[0].id, title="湿地保护社情民意", body=""
    )
    assert search_ids(kind=KIND, query="湿地") == [1]
    assert search_ids(kind="otherkind", query="湿地") == [1]
    with pytest.raises(ValueError):
        search_ids(kind="bad kind!", query="湿地")


# --- keeping the index up to date ---------------------------------------------------------------------


def test_reindexing_replaces_the_old_text(corpus, orgs):
    _, county2 = orgs
    corpus(1, "关于湿地保护的建议", "候鸟栖息地减少")
    corpus(1, "关于森林防火的建议", "护林员不足", org=county2, year=2027)
    assert search_ids(kind=KIND, query="湿地") == []
    assert search_ids(kind=KIND, query="候鸟") == []
    assert search_ids(kind=KIND, query="森林防火 护林员") == [1]
    doc = SearchDocument.objects.get(kind=KIND, object_id=1)
    assert (doc.organisation_id, doc.year, doc.title) == (county2.id, 2027, "关于森林防火的建议")
    assert SearchDocument.objects.filter(kind=KIND, object_id=1).count() == 1
    assert stored_frequencies() == recomputed_frequencies()


def test_removed_documents_are_no_longer_found(corpus):
    corpus(1, "关于湿地保护的建议", "候鸟")
    remove_document(kind=KIND, object_id=1)
    remove_document(kind=KIND, object_id=1)  # twice, or never indexed: nothing happens
    remove_document(kind=KIND, object_id=999999)
    assert search_ids(kind=KIND, query="湿地") == []
    assert similar(kind=KIND, text="湿地候鸟") == []
    assert stored_frequencies() == recomputed_frequencies()
    assert not SearchTerm.objects.filter(kind=KIND, term="候鸟").exists()  # compaction dropped it


def test_indexing_follows_the_callers_transaction(corpus):
    with pytest.raises(RuntimeError), transaction.atomic():
        corpus(1, "关于湿地保护的建议")
        assert search_ids(kind=KIND, query="湿地") == [1]
        raise RuntimeError("the caller's change failed")
    assert search_ids(kind=KIND, query="湿地") == []
    assert stored_frequencies() == recomputed_frequencies()


# --- similar texts -------------------------------------------------------------------------------------


def test_similar_finds_a_reworded_near_duplicate_and_not_an_unrelated_text(corpus):
    corpus(1, *AGEING)
    found = dict(similar(kind=KIND, text=AGEING_REWORDED))
    assert 1 in found and found[1] >= 0.3
    assert next(iter(found)) == 1  # the best match comes first
    assert 1 not in dict(similar(kind=KIND, text=UNRELATED))
    assert 1000 in dict(similar(kind=KIND, text="加强中小学校园安全"))


def test_similar_scores_are_between_0_and_1_and_an_identical_title_scores_1(corpus):
    corpus(1, *AGEING)
    results = similar(kind=KIND, text=AGEING[0], min_score=0.0)
    assert results[0] == (1, 1.0)
    assert all(0.0 <= score <= 1.0 for _, score in results)
    assert [s for _, s in results] == sorted((s for _, s in results), reverse=True)


def test_similar_weighs_the_title_more_than_the_body(corpus):
    corpus(1, "关于完善农村养老服务的建议", "经费不足。")
    corpus(2, "关于改善乡镇财政状况的建议", "完善农村养老服务。")
    ranked = [object_id for object_id, _ in similar(kind=KIND, text="完善农村养老服务", min_score=0.0)]
    assert ranked.index(1) < ranked.index(2)


def test_similar_with_title_and_body_as_text(corpus):
    corpus(1, *AGEING)
    text = AGEING_REWORDED + "\n农村老人缺少照料，乡镇养老机构床位少，建议建设养老服务中心，发展居家养老。"
    assert similar(kind=KIND, text=text)[0][0] == 1


def test_a_whole_text_finds_its_own_copy_first(corpus, monkeypatch):
    # a message and a later one on the same matter whose body holds all of the first and says more, under a
    # title closer to the words of the text: the copy of the text itself comes first (issue 17)
    body = (
        "我县城区学校大班额问题突出，部分小学一个班有六十多名学生，教室拥挤，老师顾不过来。"
        "城区新建小区越来越多，适龄儿童逐年增加，学位供给跟不上。"
        "建议新建两所小学，扩建现有学校，合理划分学区，按国家标准班额招生，确保教学质量。"
    )
    corpus(1, "反映一个情况", body)
    corpus(2, "城区学校大班额学位紧张", body + "同时加快教师招聘，解决教师不足，缓解学位紧张和大班额。")
    from zhengxie.search import services

    assert [i for i, _ in similar(kind=KIND, text=body)][:2] == [1, 2]
    monkeypatch.setattr(services, "TEXT_WEIGHT", 0.0)  # without the text's cosine the copy alone still wins
    assert [i for i, _ in similar(kind=KIND, text=body)][:2] == [1, 2]


def test_similar_excludes_and_scopes(corpus, orgs):
    county, county2 = orgs
    corpus(1, *AGEING)
    corpus(2, AGEING[0], AGEING[1], org=county2)
    assert {i for i, _ in similar(kind=KIND, text=AGEING_REWORDED)} == {1, 2}
    assert [i for i, _ in similar(kind=KIND, text=AGEING_REWORDED, organisation_ids=[county.id])] == [1]
    assert [i for i, _ in similar(kind=KIND, text=AGEING_REWORDED, exclude_ids=[1])] == [2]
    assert similar(kind=KIND, text=AGEING_REWORDED, organisation_ids=[]) == []
    assert len(similar(kind=KIND, text=AGEING_REWORDED, limit=1)) == 1


def test_a_typed_sentence_finds_the_item_whose_body_holds_it_though_its_title_does_not(corpus):
    """A member types what they remember of an earlier item: a sentence of its text, not its title."""
    corpus(
        1,
        "关于改善群众出行条件的建议",
        "城南客运站至工业园区没有直达公交，职工每天步行四十分钟上下班。建议开通专线。",
    )
    corpus(2, "关于增开城南公交线路的建议", "城南片区居民多，公交班次少，建议增加班次。")
    corpus(3, "关于工业园区招商引资的建议", "园区配套不足，建议完善水电路网。")
    found = [i for i, _ in similar(kind=KIND, text="城南客运站到工业园区没有直达公交", min_score=0.1)]
    assert found[0] == 1


def test_an_unknown_place_name_matches_as_a_name_not_as_loose_characters(corpus):
    """泉塘 and 泉星 are in no dictionary: their characters alone are in many titles, the pair in few."""
    corpus(1, "A7县泉塘街道泉星社区小塘路违章停车严重")
    corpus(2, "A7县星沙街道泉水社区路灯不亮")
    corpus(3, "A7县塘口村泉眼被填埋")
    assert {"泉塘", "泉星"} <= set(segment("泉塘街道泉星社区"))
    ranked = [i for i, _ in similar(kind=KIND, text="泉塘街道泉星社区垃圾清运不及时", min_score=0.0)]
    assert ranked[0] == 1


def test_similar_runs_as_many_queries_on_a_big_index_as_on_a_small_one(corpus, django_assert_num_queries):
    corpus(1, *AGEING)
    text = AGEING_REWORDED + "\n农村老人缺少照料，乡镇养老机构床位少。"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        similar(kind=KIND, text=text)
    for i, (title, body) in enumerate(BACKGROUND * 10):
        corpus(2000 + i, title, body)
    with django_assert_num_queries(len(small.captured_queries)):
        similar(kind=KIND, text=text)


def test_similar_with_nothing_to_compare(corpus):
    assert similar(kind=KIND, text="") == []
    assert similar(kind=KIND, text="关于……的建议") == []
    assert similar(kind="emptykind", text=AGEING[0]) == []


# --- reindex_search --------------------------------------------------------------------------------------


def test_reindex_rebuilds_a_kind_from_its_registered_source(corpus, orgs, monkeypatch):
    county, _ = orgs
    corpus(1, "关于旧文本的建议")

    def source():
        yield {
            "object_id": 7,
            "organisation_id": county.id,
            "title": "关于湿地保护的建议",
            "body": "候鸟",
            "year": 2026,
        }
        yield {
            "kind": KIND,
            "object_id": 8,
            "organisation_id": county.id,
            "title": "关于森林防火的建议",
            "body": "",
        }

    monkeypatch.setitem(registry.SOURCES, KIND, source)
    out = __import__("io").StringIO()
    call_command("reindex_search", kind=[KIND], stdout=out)
    assert "已索引 2 条" in out.getvalue()
    assert search_ids(kind=KIND, query="旧文本") == []
    assert search_ids(kind=KIND, query="湿地 候鸟") == [7]
    assert search_ids(kind=KIND, query="森林") == [8]
    assert stored_frequencies() == recomputed_frequencies()


def test_reindex_refuses_an_unregistered_kind():
    with pytest.raises(CommandError, match="未登记"):
        call_command("reindex_search", kind=["nosuchkind"])


def test_scoping_finds_a_poorly_ranked_match_among_many_better_ones_elsewhere(corpus, orgs):
    county, county2 = orgs
    for i in range(15):
        corpus(100 + i, f"关于湿地保护第{i}号的建议", "湿地湿地")
    corpus(1, "关于生态的建议", "附近有湿地", org=county2)
    assert search_ids(kind=KIND, query="湿地", organisation_ids=[county2.id], limit=1) == [1]
    assert search_ids(kind=KIND, query="湿地", limit=3) != [1]
    assert [
        i for i, _ in similar(kind=KIND, text="湿地保护", organisation_ids=[county2.id], min_score=0)
    ] == [1]


def test_a_short_text_finds_the_item_whose_body_it_is(corpus):
    # a member pastes the text of an earlier message (under 100 characters, so ranked as a short text): the
    # message whose body it is comes first, before a longer one by the same author on the same school,
    # whose title shares more of its words (issue 17: this was second in the taidi2020 evaluation)
    text = (
        "无良驾校退我血汗钱。向市交通局驾培科投诉新华驾校霸王条款、不合理扣费，驾校负责人协商过程中态度蛮横。"
    )
    corpus(1, "投诉新华驾校无门", text)
    corpus(
        2,
        "举报新华驾校、市交通局驾培科不作为",
        "我想投诉无良驾校，退我血汗钱。五月份在新华驾校报考，科一没考过就扣1200元。"
        "向市交通局驾培科投诉新华驾校霸王条款、不合理扣费，驾校负责人协商过程中态度蛮横，驾培科形同虚设。",
    )
    assert [i for i, _ in similar(kind=KIND, text=text)][:2] == [1, 2]


def test_a_title_from_a_title_box_finds_the_item_on_the_same_estate_first(corpus):
    """The caller says the text is a title (a form's title box, the queues' grouping of titles): the names
    written alike count more than for a typed sentence. From the taidi2020 titles (bench/eval_similar.py):
    丽发新城 is one estate's name, 富绿 in both others is a coincidence of names."""
    corpus(1, "A市丽发新城三期违建是否会影响交房")
    corpus(2, "A市富绿新村附近临街夜市卷士重来")
    text = "A市富绿物业丽发新城强行断业主家水"
    ranked = [i for i, _ in similar(kind=KIND, text=text, min_score=0.1, is_title=True)]
    assert ranked[0] == 1
