"""`make eval`: the 撰写助手's rules (zhengxie.drafting.advice) on real messages, and its latency.

    .venv/bin/python bench/eval_drafting.py [--json out.json] [--markdown out.md] [--requests 200]

Data: ../shared/data/taidi2020 (TAIDI2020_DIR overrides; internal evaluation only, never copied). Each
留言 is a citizen's single-matter text (a 微建议 in all but name), so the check runs with kind "suggestion".

1. "Two matters in one": false alarms on the real messages (each one matter), split into (a) all messages
   and (b) those with two or more parts (numbered items or paragraphs: the only ones the rule can fire
   on); recall on synthetic two-matter texts: two messages of different 一级标签 from the labelled test
   split (taidi2020_attachment2_testsplit921_labeled.csv) joined as two paragraphs, and as numbered
   items (一、… 二、…). The routing model that gives each part its category is trained as the product
   trains one (zhengxie.routing.learn) on the labelled sample 附件2 only (its 38 messages that are also in
   the test split left out), never on the test split. The thresholds (advice.MATTER_*) were set by hand on
   the demo texts and the first half of these pairs (dev); figures are reported on both halves.
2. "No concrete suggestion": bench/drafting_asks.csv holds 120 messages (a fixed shuffle of
   附件3+4, seed 17) labelled by hand before the rule was tuned: does the message ask for something
   (an act of an authority, or an answer)? 60 dev (the cue words were adjusted on them), 60 test. False
   alarm = a message that asks, flagged; catch rate = a message that asks nothing, flagged. Also the share
   flagged among all messages.
3. Latency: advice.check alone on real messages (CPU); the API POST /api/v1/drafting/check and the typing
   panel POST /drafting/panel/ on the demo database (SQLite; PostgreSQL when reachable), p50/p95.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

sys.path.insert(0, str(common.ROOT))
DATA = Path(os.environ.get("TAIDI2020_DIR", common.ROOT.parent / "shared" / "data" / "taidi2020"))
LABELS = Path(__file__).resolve().parent / "drafting_asks.csv"
SECTION = "## 撰写助手 (drafting advice)"
TARGET_MS = 50.0
SEED = 2026


def _clean(s: str) -> str:
    return re.sub(r"[ \t\r\u3000\xa0]+", " ", (s or "").replace("_x000D_", "\n")).strip()


def messages() -> dict[str, tuple[str, str]]:
    out = {}
    for n, name in (
        (3, "taidi2020_attachment3_messages_with_votes.csv"),
        (4, "taidi2020_attachment4_messages_with_replies.csv"),
    ):
        with open(DATA / name, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                out[f"{n}:{r['留言编号']}"] = (_clean(r["留言主题"]), _clean(r["留言详情"]))
    return out


def labelled(name: str, col: str) -> list[tuple[str, str, str, str]]:
    with open(DATA / name, encoding="utf-8") as f:
        return [
            (r["留言编号"], _clean(r["留言主题"]), _clean(r["留言详情"]), r[col]) for r in csv.DictReader(f)
        ]


def train_model():
    from zhengxie.routing import learn

    test = labelled("taidi2020_attachment2_testsplit921_labeled.csv", "一级标签")
    test_ids = {t[0] for t in test}
    train, seen = [], set()
    for t in labelled("taidi2020_attachment2_sample_labeled.csv", "一级分类"):
        if t[0] not in test_ids and t[0] not in seen:
            seen.add(t[0])
            train.append(t)
    texts = [learn.item_text(t[1], t[2]) for t in train]
    model = learn.train(texts, {"category:proposal": [(i, t[3], 1.0) for i, t in enumerate(train)]})
    return model, test, {t[0] for t in train}


def two_matters(model, test, train_ids, msgs) -> dict:
    from zhengxie.drafting import advice as A

    heads = ("category:proposal",)
    fa_all = fa_multi = multi = 0
    n = 0
    for key, (title, body) in msgs.items():
        if key.split(":")[1] in train_ids:
            continue
        n += 1
        if len(A.parts(body)) >= 2:
            multi += 1
            if A.two_matters(body, model, heads, title):
                fa_multi += 1
                fa_all += 1
    rnd = random.Random(SEED)
    by_label: dict[str, list] = {}
    for t in test:
        if len(t[2]) >= 30:
            by_label.setdefault(t[3], []).append(t)
    labels = sorted(by_label)
    pairs = []
    for _ in range(600):
        la, lb = rnd.sample(labels, 2)
        pairs.append((rnd.choice(by_label[la]), rnd.choice(by_label[lb])))
    half = len(pairs) // 2
    out = {"messages": n, "multi_part": multi, "false_alarms": fa_all, "false_alarms_multi": fa_multi}
    for split, chunk in (("dev", pairs[:half]), ("test", pairs[half:])):
        for form, join in (
            ("paragraphs", lambda a, b: f"{a}\n{b}"),
            ("numbered", lambda a, b: f"一、{a}\n二、{b}"),
        ):
            hits = sum(1 for a, b in chunk if A.two_matters(join(a[2], b[2]), model, heads, ""))
            out[f"recall_{form}_{split}"] = hits / len(chunk)
        out[f"pairs_{split}"] = len(chunk)
    # Without the model (keyword domains alone), on the test half.
    chunk = pairs[half:]
    out["recall_paragraphs_keywords"] = sum(1 for a, b in chunk if A.two_matters(f"{a[2]}\n{b[2]}")) / len(
        chunk
    )
    return out


def no_suggestion(msgs) -> dict:
    from zhengxie.drafting import advice as A

    def flagged(key):
        title, body = msgs[key]
        return not A.suggestion_sentences(f"{title}。{body}", questions=True)

    out = {}
    with open(LABELS, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for split in ("dev", "test"):
        asks = [r["message"] for r in rows if r["split"] == split and r["asks"] == "1"]
        silent = [r["message"] for r in rows if r["split"] == split and r["asks"] == "0"]
        out[split] = {
            "asks": len(asks),
            "false_alarms": sum(flagged(k) for k in asks),
            "silent": len(silent),
            "caught": sum(flagged(k) for k in silent),
        }
    out["share_flagged_all"] = sum(flagged(k) for k in msgs) / len(msgs)
    out["messages"] = len(msgs)
    return out


def cpu_latency(model, msgs) -> dict:
    from zhengxie.drafting import advice as A

    keys = sorted(msgs)[:1000]
    times = []
    for k in keys:
        title, body = msgs[k]
        t0 = time.perf_counter()
        A.check("suggestion", title=title, content=body, model=model, heads=("category:proposal",))
        times.append(time.perf_counter() - t0)
    return common.summary_ms(times)


def web_latency(engine: str, args, msgs) -> dict | None:
    """The API and the panel on a throw-away demo database (the same recipe as eval_routing)."""
    import subprocess
    import tempfile

    env = dict(os.environ)
    pg_name = None
    with tempfile.TemporaryDirectory(prefix="zx-draft-") as tmp:
        if engine == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/demo.sqlite3"
        else:
            if not common.pg_reachable(args.pg_url):
                return None
            pg_name = f"zx_draft_{os.getpid()}"
            env["DATABASE_URL"] = common.pg_create(args.pg_url, pg_name)
        try:
            py = sys.executable
            for cmd in (["migrate", "--noinput"], ["loaddemo", "--members", "30"]):
                subprocess.run(
                    [py, "manage.py", *cmd], cwd=common.ROOT, env=env, check=True, capture_output=True
                )
            out = Path(tmp) / "lat.json"
            subprocess.run(
                [py, __file__, "--child", str(out), "--requests", str(args.requests)],
                cwd=common.ROOT,
                env=env,
                check=True,
            )
            return json.loads(out.read_text())
        finally:
            if pg_name:
                common.pg_drop(args.pg_url, pg_name)


def child(out: str, requests: int) -> None:
    common.setup_django()
    from django.test import Client

    from zhengxie.core.models import User

    msgs = list(messages().values())
    rnd = random.Random(SEED)
    sample = [rnd.choice(msgs) for _ in range(requests)]
    member = User.objects.get(username="member1")
    c = Client()
    c.force_login(member)
    api, panel = [], []
    for title, body in sample:
        body = body[:1500]
        t0 = time.perf_counter()
        r = c.post(
            "/api/v1/drafting/check",
            {"kind": "proposal", "title": title, "suggestions": body},
            content_type="application/json",
        )
        api.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.content[:300]
        t0 = time.perf_counter()
        r = c.post("/drafting/panel/", {"kind": "opinion", "title": title, "content": body})
        panel.append(time.perf_counter() - t0)
        assert r.status_code == 200
    Path(out).write_text(json.dumps({"api": common.summary_ms(api), "panel": common.summary_ms(panel)}))


def markdown(res: dict) -> str:
    t, s = res["two"], res["none"]
    lines = [
        f"`bench/eval_drafting.py` on ../shared/data/taidi2020 (design in the script's docstring and docs/drafting.md). "
        f"Load average {res['load']}.",
        "",
        "### Two matters in one",
        "",
        common.md_table(
            ["measure", "dev", "test"],
            [
                [
                    "false alarms on real single-matter messages (all)",
                    f"{t['false_alarms']} / {t['messages']}",
                    "",
                ],
                [
                    "… of those with ≥ 2 parts (where it can fire)",
                    f"{t['false_alarms_multi']} / {t['multi_part']}",
                    "",
                ],
                [
                    "recall, two messages of different categories as two paragraphs",
                    f"{t['recall_paragraphs_dev']:.3f}",
                    f"{t['recall_paragraphs_test']:.3f}",
                ],
                [
                    "recall, the same as numbered items 一、二、",
                    f"{t['recall_numbered_dev']:.3f}",
                    f"{t['recall_numbered_test']:.3f}",
                ],
                [
                    "recall, paragraphs, keyword domains alone (no model)",
                    "",
                    f"{t['recall_paragraphs_keywords']:.3f}",
                ],
            ],
        ),
        f"\nPairs: {t['pairs_dev']} dev, {t['pairs_test']} test. A text in one paragraph without numbering is not split: "
        "two matters written as one run of sentences are not found.",
        "",
        "### No concrete suggestion (hand-labelled messages)",
        "",
        common.md_table(
            ["split", "asks → flagged (false alarm)", "asks nothing → flagged (caught)"],
            [
                [
                    k,
                    f"{s[k]['false_alarms']} / {s[k]['asks']} ({s[k]['false_alarms'] / s[k]['asks']:.1%})",
                    f"{s[k]['caught']} / {s[k]['silent']}",
                ]
                for k in ("dev", "test")
            ],
        ),
        f"\nShare of all {s['messages']} messages flagged: {s['share_flagged_all']:.1%} (many citizens' messages "
        "only describe a problem).",
        "",
        "### Latency (ms)",
        "",
        common.md_table(
            ["what", "engine", "p50", "p95", "target"],
            [
                [
                    "advice.check alone (1,000 messages)",
                    "CPU",
                    f"{res['cpu']['median']:.1f}",
                    f"{res['cpu']['p95']:.1f}",
                    "—",
                ]
            ]
            + [
                [what, eng, f"{lat[key]['median']:.1f}", f"{lat[key]['p95']:.1f}", f"≤ {TARGET_MS:.0f}"]
                for eng, lat in res["web"].items()
                if lat
                for what, key in (
                    ("POST /api/v1/drafting/check (proposal)", "api"),
                    ("the typing panel (社情民意)", "panel"),
                )
            ],
        ),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_args(p)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--child")
    p.add_argument("--no-web", action="store_true")
    args = p.parse_args()
    if args.child:
        child(args.child, args.requests)
        return
    common.setup_django()
    msgs = messages()
    model, test, train_ids = train_model()
    res = {
        "load": common.load_avg(),
        "two": two_matters(model, test, train_ids, msgs),
        "none": no_suggestion(msgs),
    }
    res["cpu"] = cpu_latency(model, msgs)
    res["web"] = {}
    if not args.no_web:
        for engine in common.engines(args):
            res["web"][engine] = web_latency(engine, args, msgs)
    res["verdicts"] = [
        {"engine": eng, "what": key, "p95": lat[key]["p95"]}
        for eng, lat in res["web"].items()
        if lat
        for key in ("api", "panel")
    ]
    text = markdown(res)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=1))
    if args.markdown:
        Path(args.markdown).write_text(text)


if __name__ == "__main__":
    main()
