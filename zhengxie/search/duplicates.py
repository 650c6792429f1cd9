"""Near-duplicate groups among the items waiting in a staff queue (issue 17): 提案委's 立案审查, 信息科's
incoming 社情民意, 办公室's 微建议 moderation.

How a group is found (docs/search.md "Near-duplicate groups"):
- Each waiting item's **neighbour list**: candidates from similar() of its title, and of its title and the
  start of its text, against its organisation's index (NEIGHBOURS best each); each candidate verified by
  `pair_score` (character-pair cosine of the titles, and of title + text start: classic shingling, no
  IDF), kept at STORE_MIN or more. A list is computed once per item and text
  version and kept in the cache (`zx:dup5:<kind>:<id>:<stamp>`, CACHE_SECONDS); a queue page reads all its
  waiting items' lists with one cache call and computes none itself: the lists it lacks are computed by the
  worker (`compare_later`, task search.tasks.compare_duplicates) or the hourly job `search.warm_duplicates`, so
  the page runs the same queries whatever the cache holds and never scans the table per request. A new
  item's list holds the older items like it, so an edge needs only one side.
- Edges are the neighbour pairs both waiting, in the same bucket (a proposal's session), scoring at least
  THRESHOLD (tuned on the taidi2020 same-title groups by bench/eval_duplicates.py); groups join by
  average link (`link`): an item joins a group only when its scores against the whole group average
  THRESHOLD or more, so no chain A~B~C puts an unrelated A and C together.
- Neighbours that are not waiting (earlier years, already filed) are shown as reference, never merged.

Apps call `groups(...)`; the rows, permissions and merges stay theirs."""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.cache import cache

from . import text as _text
from .services import similar

THRESHOLD = 0.65
CANDIDATE_MIN = 0.1  # similar()'s score for a candidate (as its callers list similar items)
STORE_MIN = 0.3  # the pair score kept in a neighbour list
NEIGHBOURS = 20
CACHE_SECONDS = 7 * 24 * 3600
TEXT_CHARS = 600  # the title and the start of the body: what similar() scores (see its coverage)
LATER_SECONDS = 15 * 60  # a page asks the worker again for the same missing lists after this long

logger = logging.getLogger(__name__)

# kind -> fn() -> iterable of (organisation_ids, [(pk, stamp)], text_of): the hourly job fills the caches.
QUEUES: dict[str, Callable[[], Iterable[tuple[list[int], list[tuple[int, str]], Callable]]]] = {}


def register_queue(kind: str, waiting: Callable) -> None:
    QUEUES[kind] = waiting


def query_text(title: str, body: str) -> str:
    """The second query of a neighbour list: the title and the start of the text."""
    return f"{title}\n{(body or '')[:TEXT_CHARS]}"


_grams = _text.char_pairs  # character pairs, the words every title has left out
_cosine = _text.char_cosine


def pair_score(a: tuple[str, str], b: tuple[str, str]) -> float:
    """How alike two items are, 0..1: the higher of the character-pair cosines of their titles and of their
    titles with the start of their texts (a candidate found by similar() is verified with this)."""
    titles = _cosine(_grams(a[0]), _grams(b[0])) if a[0] and b[0] else 0.0
    return max(titles, _cosine(_grams(query_text(*a)), _grams(query_text(*b))))


def _key(kind: str, pk: int, stamp) -> str:
    return f"zx:dup5:{kind}:{pk}:{stamp}"


def neighbour_lists(
    kind: str,
    items: list[tuple[int, str]],
    *,
    organisation_ids: list[int],
    text_of: Callable[[list[int]], dict[int, tuple[str, str]]],
    budget: float | None = None,
) -> tuple[dict[int, list[tuple[int, float]]], int]:
    """({pk: [(other pk, score)]}, how many items still have no list) for `items` [(pk, stamp)]. Lists not
    in the cache are computed for at most `budget` seconds (the job, the worker's task); with None (a page)
    none is: the worker is asked for them (`compare_later`). Issue 16: a page that computed them itself ran
    similar() twice an item, several queries each, for as long as its time limit allowed — 79 queries
    instead of 8 on the bench's cold cache, more on a faster machine."""
    keys = {pk: _key(kind, pk, stamp) for pk, stamp in items}
    got = cache.get_many(list(keys.values())) if keys else {}
    lists = {pk: got[k] for pk, k in keys.items() if k in got}
    missing = [pk for pk in keys if pk not in lists]
    if missing and budget is None:
        compare_later(kind, organisation_ids, newest=keys[missing[-1]])
        done = cache.get_many([keys[pk] for pk in missing])  # the worker may have been quick (or immediate)
        lists.update({pk: done[keys[pk]] for pk in missing if keys[pk] in done})
    elif missing and budget > 0:
        texts = dict(text_of(missing))
        start, found = time.perf_counter(), {}
        for pk in missing:
            if time.perf_counter() - start > budget:
                break
            title, body = texts.get(pk, ("", ""))
            found[pk] = set()
            queries = [(title, True), (query_text(title, body) if body else "", False)]
            for text, is_title in [(t, it) for t, it in queries if t.strip()]:
                found[pk].update(
                    int(o)
                    for o, _ in similar(
                        kind=kind,
                        text=text,
                        organisation_ids=organisation_ids,
                        exclude_ids=[pk],
                        limit=NEIGHBOURS,
                        min_score=CANDIDATE_MIN,
                        is_title=is_title,
                    )
                )
        others = {o for got in found.values() for o in got} - texts.keys()
        if others:
            texts.update(text_of(sorted(others)))
        new = {}
        for pk, got in found.items():
            scored = ((o, pair_score(texts.get(pk, ("", "")), texts[o])) for o in got if o in texts)
            lists[pk] = new[keys[pk]] = sorted(
                ((o, round(sc, 4)) for o, sc in scored if sc >= STORE_MIN), key=lambda p: -p[1]
            )
        cache.set_many(new, CACHE_SECONDS)
    return lists, len(keys) - len(lists)


def compare_later(kind: str, organisation_ids: list[int], *, newest: str) -> None:
    """Ask the worker to compute a queue's missing neighbour lists (search.tasks.compare_duplicates): once
    for the newest item still without a list (`newest`, its cache key), again only after LATER_SECONDS (a
    worker that is down; the hourly job computes them too). A queue that cannot be asked (the task queue
    unreachable) is still shown: its items stay "尚未比对"."""
    flag = f"{newest}:asked"
    if not cache.add(flag, 1, LATER_SECONDS):
        return
    from .tasks import compare_duplicates

    try:
        compare_duplicates.enqueue(kind, sorted(organisation_ids))
    except Exception:
        logger.exception("疑似重复: could not ask the worker to compare %s items", kind)
        cache.delete(flag)


@dataclass
class Group:
    ids: list[int]  # in the caller's order (e.g. by submission)
    scores: dict[tuple[int, int], float] = field(default_factory=dict)  # (a, b) a < b -> score
    references: dict[int, float] = field(default_factory=dict)  # not waiting: pk -> best score

    def score_of(self, a: int, b: int) -> float | None:
        return self.scores.get((min(a, b), max(a, b)))

    def best_link(self, pk: int) -> float:
        return max((s for (a, b), s in self.scores.items() if pk in (a, b)), default=0.0)


def link(
    ids: list[int],
    lists: dict[int, list[tuple[int, float]]],
    *,
    threshold: float = THRESHOLD,
    bucket: dict[int, object] | None = None,
) -> list[Group]:
    """Groups of the waiting `ids` (order kept), within one bucket, by **average link**: two groups (at first
    single items) join when the average score of every pair across them reaches `threshold`, a pair that
    neither neighbour list holds counting 0; the closest two groups join first, until no two reach it. So an
    item joins a group only when it is close to the group as a whole, not to one member: A~B and B~C with A
    and C unrelated give (A, B) and C alone, where single link chained all three through B. Every other
    neighbour at the threshold becomes a reference of the group."""
    waiting = set(ids)
    position = {pk: n for n, pk in enumerate(ids)}
    scores: dict[tuple[int, int], float] = {}  # every known pair of waiting items in one bucket
    outside: dict[int, dict[int, float]] = {}
    for a in ids:
        for b, s in lists.get(a, ()):
            if b == a:
                continue
            if b not in waiting:
                if s >= threshold:
                    outside.setdefault(a, {})[b] = max(s, outside.get(a, {}).get(b, 0.0))
                continue
            if bucket is not None and bucket.get(a) != bucket.get(b):
                continue
            pair = (min(a, b), max(a, b))
            scores[pair] = max(s, scores.get(pair, 0.0))
    # Agglomerative: clusters keyed by their first item's position; `sums` holds, for two clusters with
    # at least one known pair, the sum of their pairs' scores; a heap of (-average, keys, versions) with
    # stale entries skipped.
    members: dict[int, list[int]] = {position[pk]: [pk] for pk in ids}
    version = dict.fromkeys(members, 0)
    sums: dict[int, dict[int, float]] = {}
    for (a, b), s in scores.items():
        ka, kb = position[a], position[b]
        sums.setdefault(ka, {})[kb] = sums.get(ka, {}).get(kb, 0.0) + s
        sums.setdefault(kb, {})[ka] = sums.get(kb, {}).get(ka, 0.0) + s

    def entry(ka: int, kb: int) -> tuple:
        ka, kb = min(ka, kb), max(ka, kb)
        average = sums[ka][kb] / (len(members[ka]) * len(members[kb]))
        return (-average, ka, kb, version[ka], version[kb])

    heap = [entry(ka, kb) for ka, linked in sums.items() for kb in linked if ka < kb]
    heapq.heapify(heap)
    while heap:
        negative, ka, kb, va, vb = heapq.heappop(heap)
        if ka not in members or kb not in members or version[ka] != va or version[kb] != vb:
            continue  # one of the two has joined another group since
        if -negative < threshold:
            break
        members[ka] += members.pop(kb)
        version[ka] += 1
        for kc, s in sums.pop(kb).items():
            del sums[kc][kb]
            if kc != ka:
                sums[ka][kc] = sums[ka].get(kc, 0.0) + s
                sums[kc][ka] = sums[ka][kc]
        sums[ka].pop(ka, None)
        for kc in sums[ka]:
            heapq.heappush(heap, entry(ka, kc))
    out = []
    for key in sorted(members):
        group_ids = sorted(members[key], key=position.__getitem__)
        if len(group_ids) < 2:
            continue
        inside = set(group_ids)
        g = Group(
            ids=group_ids,
            scores={p: s for p, s in scores.items() if p[0] in inside and p[1] in inside and s >= threshold},
        )
        for pk in group_ids:
            for ref, s in outside.get(pk, {}).items():
                g.references[ref] = max(s, g.references.get(ref, 0.0))
        out.append(g)
    return out


def groups(
    kind: str,
    items: list[tuple[int, str]],
    *,
    organisation_ids: list[int],
    text_of: Callable[[list[int]], dict[int, tuple[str, str]]],
    bucket: dict[int, object] | None = None,
    threshold: float = THRESHOLD,
    budget: float | None = None,
) -> tuple[list[Group], int]:
    """(groups among the waiting `items` [(pk, stamp)] in their order, items not compared yet)."""
    lists, pending = neighbour_lists(
        kind, items, organisation_ids=organisation_ids, text_of=text_of, budget=budget
    )
    return link([pk for pk, _ in items], lists, threshold=threshold, bucket=bucket), pending


def stamp(updated_at) -> str:
    """The version stamp of an item's text (its updated_at): a changed item is compared again."""
    return f"{updated_at.timestamp():.6f}" if updated_at else "0"


def shape(
    found: list[Group],
    details: dict[int, object],
    *,
    title: Callable[[object], str],
    main_facts: Callable[[object], dict],
    row: Callable[[object, bool], dict],
    reference_ok: Callable[[object], bool] = lambda o: True,
) -> list[dict]:
    """The groups as the queues and the APIs show them: the suggested main item first, then the others by
    `main_facts`' "at"; at most five references. `details` holds the items the user may see (others drop
    out); `main_facts(o)` gives suggest_main's {at, length, people?}; `row(o, is_reference)` one item's
    fields besides id and score."""
    out = []
    for g in found:
        items = [details[pk] for pk in g.ids if pk in details]
        if len(items) < 2:
            continue
        facts = {o.pk: {"id": o.pk, **main_facts(o)} for o in items}
        main, why = suggest_main(list(facts.values()))
        refs = sorted(
            (details[pk] for pk in g.references if pk in details and reference_ok(details[pk])),
            key=lambda o: -g.references[o.pk],
        )[:5]
        out.append(
            {
                "main": main,
                "main_reason": why,
                "phrases": key_phrases([title(o) for o in items]),
                "score": round(max(g.scores.values()), 3),
                "items": [
                    {"id": o.pk, **row(o, False), "score": round(g.best_link(o.pk), 3)}
                    for o in sorted(items, key=lambda o: (o.pk != main, facts[o.pk]["at"], o.pk))
                ],
                "references": [
                    {"id": o.pk, **row(o, True), "score": round(g.references[o.pk], 3)} for o in refs
                ],
            }
        )
    return out


def key_phrases(titles: list[str], limit: int = 6) -> list[str]:
    """The words the titles share: in at least two of them (all of them first), informative, longer first;
    a word inside a longer one kept is dropped."""
    counts: dict[str, int] = {}
    for title in titles:
        for t in set(_text.segment(title)):
            if t in _text.BOILERPLATE or _text.is_generic(t) or len(t) < 2:
                continue
            counts[t] = counts.get(t, 0) + 1
    shared = sorted((t for t, c in counts.items() if c >= 2), key=lambda t: (-counts[t], -len(t), t))
    out: list[str] = []
    for t in shared:
        if any(t in kept for kept in out):
            continue
        out.append(t)
        if len(out) == limit:
            break
    return out


def suggest_main(rows: list[dict]) -> tuple[int, str]:
    """The item the others should join, and why: the earliest, unless another is clearly more complete
    (text at least 1.3 times as long and 100 characters more, or more co-signers): {id, at, length, people}."""
    earliest = min(rows, key=lambda r: (r["at"], r["id"]))
    fullest = max(rows, key=lambda r: (r.get("people", 0), r["length"], -r["id"]))
    if fullest["id"] != earliest["id"]:
        if fullest.get("people", 0) > earliest.get("people", 0):
            return fullest["id"], f"联名人数最多（{fullest['people']}人），其余并入后一并办理"
        if fullest["length"] >= 1.3 * earliest["length"] and fullest["length"] - earliest["length"] >= 100:
            return fullest["id"], f"内容最完整（{fullest['length']}字，最早一件{earliest['length']}字）"
    return earliest["id"], "最早提交，其余内容与之相近"


def warm(kind: str | None = None, organisation_ids: list[int] | None = None) -> int:
    """Compute the missing neighbour lists of every registered queue (the hourly job), or of one kind's
    queues within `organisation_ids` (the task a page asks for); returns how many."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("duplicates")  # each app's duplicates.py registers its queue
    within = None if organisation_ids is None else set(organisation_ids)
    done = 0
    for k, waiting in QUEUES.items():
        if kind and k != kind:
            continue
        for org_ids, items, text_of in waiting():
            if within is not None and not set(org_ids) <= within:
                continue
            before = len(items)
            _, pending = neighbour_lists(k, items, organisation_ids=org_ids, text_of=text_of, budget=3600)
            done += before - pending
    return done


def group_form(post) -> tuple[str, list[str], str]:
    """(main, others, reason) from a queue page's group form: the radio `main`, the ticked `group_ids` (not
    `ids`: the queue's own batch form counts every ticked box of that name on the page)."""
    main = (post.get("main") or "").strip()
    others = [i for i in post.getlist("group_ids") if i and i != main]
    return main, others, (post.get("reason") or "").strip()
