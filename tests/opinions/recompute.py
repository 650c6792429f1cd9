"""What the 社情民意 duty records should be, recomputed from the items alone (written apart from the services,
so that the two can be compared):

- 报送 (opinion_submit): every item submitted here (a forwarded copy is not), to its own authors;
- 录用 (opinion_accept): every accepted item, to all its authors (merged items' authors included);
- 采用 (opinion_adopt_*): once per chain and level with a live adoption anywhere on the chain, to the
  chain's root's authors, with the root as source;
- 批示 (opinion_instruction): every 批示 on the chain, to the root's authors, with the 批示 as source.

Shares: per group of authors (the item's own, then each merged item's) the first author half and the others
the rest in equal parts, a single author all of it.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType

from zhengxie.opinions.models import Adoption, Instruction, Opinion, OpinionAuthor
from zhengxie.performance import acts as A
from zhengxie.performance import scoring
from zhengxie.performance.models import DutyRecord

ADOPT = {
    "county": A.OPINION_ADOPT,
    "city": A.OPINION_ADOPT_CITY,
    "province": A.OPINION_ADOPT_PROVINCE,
    "national": A.OPINION_ADOPT_NATIONAL,
}
OPINION_ACTS = [A.OPINION_SUBMIT, A.OPINION_ACCEPT, A.OPINION_INSTRUCTION, *ADOPT.values()]
FOUR = Decimal("0.0001")


def _split(members: list[int]) -> dict[int, Decimal]:
    if len(members) == 1:
        return {members[0]: Decimal(1)}
    rest = (Decimal("0.5") / (len(members) - 1)).quantize(FOUR)
    return {members[0]: Decimal("0.5"), **{m: rest for m in members[1:]}}


def expected_records(opinions=None) -> set[tuple]:
    """{(member_id, act, source model, source id, share)} for the given items (default: all) and their
    chains."""
    qs = Opinion.objects.all() if opinions is None else Opinion.objects.filter(pk__in=opinions)
    items = {o.pk: o for o in qs}
    roots = {o.root_id for o in items.values()}
    chain = {o.pk: o for o in Opinion.objects.filter(root_id__in=roots)}
    items.update(chain)
    groups: dict[int, dict] = defaultdict(dict)  # opinion -> via_merge (0: own) -> [member ids in order]
    for a in OpinionAuthor.objects.filter(opinion_id__in=items).order_by("order", "id"):
        groups[a.opinion_id].setdefault(a.via_merge_id or 0, []).append(a.member_id)

    def shares(pk, own_only=False):
        out = {}
        for via, members in groups.get(pk, {}).items():
            if own_only and via:
                continue
            out.update(_split(members))
        return out

    want = set()
    for o in items.values():
        if o.submitted_at is not None and o.source != Opinion.Source.FORWARDED:
            want |= {(m, A.OPINION_SUBMIT, Opinion, o.pk, s) for m, s in shares(o.pk, own_only=True).items()}
        if o.status == Opinion.Status.ACCEPTED:
            want |= {(m, A.OPINION_ACCEPT, Opinion, o.pk, s) for m, s in shares(o.pk).items()}
    live = Adoption.objects.filter(root_id__in=roots, revoked_at__isnull=True)
    for root_id, level in set(live.values_list("root_id", "level")):
        want |= {(m, ADOPT[level], Opinion, root_id, s) for m, s in shares(root_id).items()}
    for i in Instruction.objects.filter(root_id__in=roots):
        want |= {(m, A.OPINION_INSTRUCTION, Instruction, i.pk, s) for m, s in shares(i.root_id).items()}
    return want


def live_records(opinions=None) -> set[tuple]:
    """The live opinion duty records, in the same shape (for the given items and their chains)."""
    ct_o = ContentType.objects.get_for_model(Opinion)
    ct_i = ContentType.objects.get_for_model(Instruction)
    qs = DutyRecord.objects.filter(voided=False, act__in=OPINION_ACTS)
    if opinions is not None:
        roots = set(Opinion.objects.filter(pk__in=opinions).values_list("root_id", flat=True))
        pks = set(Opinion.objects.filter(root_id__in=roots).values_list("pk", flat=True))
        ins = set(Instruction.objects.filter(root_id__in=roots).values_list("pk", flat=True))
        qs = qs.filter(source_ct=ct_o, source_id__in=[str(p) for p in pks]) | qs.filter(
            source_ct=ct_i, source_id__in=[str(p) for p in ins]
        )
    model = {ct_o.pk: Opinion, ct_i.pk: Instruction}
    out = set()
    for r in qs:
        out.add((r.member_id, r.act, model[r.source_ct_id], int(r.source_id), r.share.quantize(FOUR)))
    return out


def points_by_member(records: set[tuple], organisation_id: int, year: int) -> dict[int, dict[str, int]]:
    """member -> {act: points in cents} of these records under the organisation's scheme for the year."""
    scheme = scoring.resolve(organisation_id, year)
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for member, act, _model, _pk, share in records:
        # each record: the rule's points times the share, rounded half up to the cent
        cents = (Decimal(scheme.rule_for(act).points) * share * 100).quantize(Decimal(1), ROUND_HALF_UP)
        if cents:
            out[member][act] += int(cents)
    return {m: dict(v) for m, v in out.items()}


def performance_sums(organisation_id: int, year: int) -> dict[int, dict[str, int]]:
    """performance's own aggregate (scoring.year_act_sums), opinion acts only, zeros dropped."""
    sums, _count = scoring.year_act_sums(organisation_id, year, scoring.resolve(organisation_id, year))
    out = {}
    for member, acts in sums.items():
        kept = {a: c for a, c in acts.items() if a in OPINION_ACTS and c}
        if kept:
            out[member] = kept
    return out
