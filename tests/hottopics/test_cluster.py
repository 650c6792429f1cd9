"""The clustering itself: texts on the same matter end in one group whatever their words, different
matters apart; real public messages (taidi2020, read from ../shared when present) likewise."""

import csv
from pathlib import Path

import pytest

from zhengxie.hottopics import cluster

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "taidi2020"

PARKING = [
    ("关于缓解城区停车难的建议", "老城区停车位严重不足，居民回家找不到车位，建议建设立体停车场。"),
    ("建议增加老城区停车泊位", "城区停车难，车辆乱停挤占消防通道，应规划公共停车场和停车泊位。"),
    ("城区停车难问题亟待解决", "停车位少、乱停车多，建议挖掘机关单位停车场夜间向居民开放。"),
]
SCHOOL_LUNCH = [
    ("关于改善农村学校营养午餐的建议", "部分农村学校营养午餐标准偏低，食堂设施陈旧，建议提高补助。"),
    ("提高农村学生营养餐质量", "农村中小学营养午餐菜品单一，建议加强食堂管理和食品安全监督。"),
]
OTHERS = [
    ("加强森林防火队伍建设", "林区防火预警系统不完善，扑火队伍装备不足。"),
    ("规范农贸市场环境卫生", "农贸市场污水横流，垃圾清运不及时，气味难闻。"),
]


def _labels(rows):
    texts = [cluster.text_of(t, b) for t, b in rows]
    features, X, tokens = cluster.fit_features(texts)
    return cluster.cluster_labels(X).tolist()


def test_same_matter_together_different_matters_apart():
    labels = _labels(PARKING + SCHOOL_LUNCH + OTHERS)
    parking, lunch, fire, market = labels[:3], labels[3:5], labels[5], labels[6]
    assert len(set(parking)) == 1
    assert len(set(lunch)) == 1
    assert len({parking[0], lunch[0], fire, market}) == 4


def test_groups_have_a_readable_label_and_key_phrases():
    texts = [cluster.text_of(t, b) for t, b in PARKING + SCHOOL_LUNCH + OTHERS]
    _f, _X, groups = cluster.cluster(texts)
    assert [len(g.members) for g in groups] == [3, 2]  # singletons are no hot topic
    assert "停车" in "".join(groups[0].keywords)
    assert cluster.short_title(PARKING[groups[0].members[0]][0]).find("关于") == -1
    assert cluster.short_title("关于加快推进城区停车场建设的建议") == "加快推进城区停车场建设"


def test_an_earlier_periods_text_is_matched_to_its_group():
    texts = [cluster.text_of(t, b) for t, b in PARKING + SCHOOL_LUNCH + OTHERS]
    features, _X, groups = cluster.cluster(texts)
    earlier = features.transform(
        [
            cluster.text_of("老城区停车位不足", "居民晚上回家停车难，建议建停车场"),
            cluster.text_of("图书馆开放时间", ""),
        ]
    )
    assert cluster.assign(earlier, groups).tolist() == [0, -1]


def test_two_stage_clustering_keeps_matters_together_beyond_one_block():
    rows = (PARKING + SCHOOL_LUNCH + OTHERS) * 3
    texts = [cluster.text_of(t, b) for t, b in rows]
    _f, X, _t = cluster.fit_features(texts)
    exact = cluster.cluster_labels(X, block=10_000)
    split = cluster.cluster_labels(X, block=8)  # parts of at most 8 texts, then joined
    same = lambda lab: {(i, j) for i in range(len(lab)) for j in range(len(lab)) if lab[i] == lab[j]}  # noqa: E731
    assert same(split.tolist()) == same(exact.tolist())


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data/taidi2020 is not here")
def test_real_messages_with_the_same_title_end_in_one_group():
    with open(DATA / "taidi2020_attachment3_same_title_groups_derived.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    groups = {}
    for r in rows:
        groups.setdefault(r["same_title_group"], []).append(r)
    chosen = [g for _, g in sorted(groups.items(), key=lambda kv: int(kv[0]))][:40]
    flat = [r for g in chosen for r in g]
    texts = [cluster.text_of(r["留言主题"].strip(), r["留言详情"].strip()) for r in flat]
    _f, X, _t = cluster.fit_features(texts)
    labels = cluster.cluster_labels(X).tolist()
    pos = 0
    together = apart = 0
    seen = []
    for g in chosen:
        lab = labels[pos : pos + len(g)]
        pos += len(g)
        together += len(set(lab)) == 1
        seen.append(lab[0])
    apart = len(set(seen))
    assert together >= 36  # 90 % of the groups whole
    assert apart >= 30  # and most groups not merged with one another
