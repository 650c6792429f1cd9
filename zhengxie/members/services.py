"""Every change the administrators make: organisations and their settings, terms and sessions,
sectors, special committees, parties, handling units and their handlers, users and roles, members,
and the roster import/export (see roster.py for the spreadsheet work).

Each function: permission check -> one transaction -> change -> audit entry (-> notification).
"""

from __future__ import annotations

import json
import re
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from zhengxie.core import audit
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import (
    MUST_CHANGE_PASSWORD_AT,
    ApiToken,
    HandlingUnit,
    Office,
    Organisation,
    Role,
    User,
)
from zhengxie.core.notifications import notify
from zhengxie.core.permissions import in_scope

from .models import Member, Party, Sector, Session, SpecialCommittee, Term
from .roster import (  # noqa: F401  (public names of the roster import/export live here too)
    PHONE_RE,
    ImportResult,
    RowError,
    check_id_number,
    id_birth_date,
    roster_export,
    roster_export_start,
    roster_import,
    roster_import_retry,
    roster_import_start,
    roster_passwords_download,
    roster_template,
)

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")
ADMIN_ROLES = {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR}
UNIT_ROLES = {Role.UNIT_HANDLER, Role.UNIT_HEAD}
# The member role comes with a roster entry (import or the member pages), never from the user form.
ASSIGNABLE_ROLES = [r for r in Role.values if r != Role.MEMBER]


def _require(user, perm: str, obj=None, message: str = "无权执行此操作。") -> None:
    if not user.has_perm(perm, obj):
        raise Forbidden(message)


def _changes(obj, data: dict, fields) -> tuple[dict, dict]:
    """Apply data[field] for the given fields; return (before, after) of what changed."""
    before, after = {}, {}
    for f in fields:
        if f not in data:
            continue
        old, new = getattr(obj, f), data[f]
        if old != new:
            before[f], after[f] = _jsonable(old), _jsonable(new)
            setattr(obj, f, new)
    return before, after


def _jsonable(v):
    if isinstance(v, (str, int, float, bool, type(None))):
        return v
    if hasattr(v, "pk"):
        return str(v)
    return str(v)


# --- organisations ----------------------------------------------------------------------------------

KIND_RANK = {
    Organisation.Kind.PROVINCE: 0,
    Organisation.Kind.CITY: 1,
    Organisation.Kind.COUNTY: 2,
    Organisation.Kind.LIAISON: 3,
}
ORG_FIELDS = ["name", "short_name", "code", "region", "address", "phone"]


def allowed_child_kinds(parent: Organisation) -> list[str]:
    rank = KIND_RANK[parent.kind]
    if parent.kind == Organisation.Kind.LIAISON:
        return []
    return [k for k, r in KIND_RANK.items() if r > rank]


def _check_org_code(code: str, exclude_pk=None) -> None:
    if code and Organisation.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise Invalid(f"编码“{code}”已被其他组织使用。", field="code")


def _check_org_name(parent: Organisation | None, name: str, exclude_pk=None) -> None:
    if not name.strip():
        raise Invalid("请填写名称。", field="name")
    if parent is not None:
        siblings = Organisation.objects.filter(
            path__startswith=parent.path, depth=parent.depth + 1, name=name
        )
        if siblings.exclude(pk=exclude_pk).exists():
            raise Invalid(f"“{parent.name}”下已有名为“{name}”的组织。", field="name")


def organisation_create(
    *,
    user,
    parent: Organisation,
    name: str,
    kind: str,
    short_name: str = "",
    code: str = "",
    region: str = "",
    address: str = "",
    phone: str = "",
) -> Organisation:
    _require(user, "members.manage", parent)
    with transaction.atomic():
        parent = Organisation.objects.select_for_update().get(pk=parent.pk)
        if not parent.is_active:
            raise Conflict("上级组织已停用，不能添加下级组织。")
        if kind not in allowed_child_kinds(parent):
            raise Invalid(
                f"“{parent.name}”下不能设立“{Organisation.Kind(kind).label if kind in Organisation.Kind.values else kind}”。",
                field="kind",
            )
        _check_org_name(parent, name)
        _check_org_code(code)
        if not code:
            n = parent.numchild + 1
            while Organisation.objects.filter(code=f"{parent.code}-{n:02d}").exists():
                n += 1
            code = f"{parent.code}-{n:02d}"
        child = parent.add_child(
            name=name.strip(),
            short_name=short_name.strip(),
            kind=kind,
            code=code,
            region=region,
            address=address,
            phone=phone,
        )
        audit.record(
            user,
            "members.organisation_create",
            child,
            organisation=child,
            after={**audit.snapshot(child, ORG_FIELDS + ["kind"]), "parent": parent.name},
        )
    return child


def organisation_update(*, user, organisation: Organisation, data: dict) -> Organisation:
    _require(user, "members.manage", organisation)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if "name" in data:
            _check_org_name(org.get_parent(), data["name"], exclude_pk=org.pk)
        if "code" in data:
            if not data["code"]:
                raise Invalid("请填写编码。", field="code")
            _check_org_code(data["code"], exclude_pk=org.pk)
        before, after = _changes(org, data, ORG_FIELDS)
        if after:
            org.save()
            audit.record(
                user, "members.organisation_update", org, organisation=org, before=before, after=after
            )
    return org


def organisation_set_active(*, user, organisation: Organisation, active: bool) -> Organisation:
    _require(user, "members.manage", organisation)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if org.is_active == active:
            return org
        if not active:
            if org.pk == user.organisation_id:
                raise Conflict("不能停用您自己所在的组织。")
            if Organisation.objects.filter(
                path__startswith=org.path, depth__gt=org.depth, is_active=True
            ).exists():
                raise Conflict("请先停用其下级组织。")
        else:
            parent = org.get_parent()
            if parent is not None and not parent.is_active:
                raise Conflict("上级组织已停用，请先启用上级组织。")
        org.is_active = active
        org.save(update_fields=["is_active"])
        audit.record(
            user,
            "members.organisation_activate" if active else "members.organisation_deactivate",
            org,
            organisation=org,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return org


def parse_setting(key: str, raw) -> object:
    """Turn what the form sent into a value of the default's type, or raise Invalid(field=key)."""
    from zhengxie.core import orgsettings

    default, label = orgsettings.DEFAULTS[key]
    if isinstance(raw, str):
        raw = raw.strip()
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "1", "是", "on", "True"):
            return True
        if raw in ("false", "0", "否", "off", "False"):
            return False
        raise Invalid(f"{label}：请选择“是”或“否”。", field=key)
    if isinstance(default, int):
        try:
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError
            return int(raw)
        except (TypeError, ValueError):
            raise Invalid(f"{label}：须为整数。", field=key)
    if isinstance(default, float):
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise Invalid(f"{label}：须为数字。", field=key)
    if isinstance(default, str):
        return str(raw)
    if isinstance(default, (list, dict)):
        value = raw
        if isinstance(raw, str):
            try:
                value = json.loads(raw)
            except ValueError:
                raise Invalid(f"{label}：须为 JSON 格式。", field=key)
        if not isinstance(value, type(default)):
            kind = '列表，如 ["A", "B"]' if isinstance(default, list) else '对象，如 {"键": 值}'
            raise Invalid(f"{label}：须为 JSON {kind}。", field=key)
        return value
    raise Invalid(f"{label}：不支持的设置类型。", field=key)


class SettingsInvalid(Invalid):
    def __init__(self, errors: dict[str, str]):
        super().__init__("设置有误：" + "；".join(errors.values()), code="invalid_settings")
        self.errors = errors


def organisation_settings_update(*, user, organisation: Organisation, values: dict) -> dict:
    """values: key -> raw value; "" or None removes the override. Returns the saved overrides."""
    from zhengxie.core import orgsettings

    _require(user, "members.manage", organisation)
    parsed, errors = {}, {}
    for key, raw in values.items():
        if key not in orgsettings.DEFAULTS:
            errors[key] = f"未知的设置项：{key}"
            continue
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            parsed[key] = None
            continue
        try:
            parsed[key] = parse_setting(key, raw)
        except Invalid as exc:
            errors[key] = exc.message
    if errors:
        raise SettingsInvalid(errors)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        current = dict(org.settings or {})
        before, after = {}, {}
        for key, value in parsed.items():
            old = current.get(key)
            if value is None:
                if key in current:
                    before[key] = current.pop(key)
                    after[key] = None
            elif old != value or key not in current:
                before[key], after[key] = old, value
                current[key] = value
        if after:
            org.settings = current
            org.save(update_fields=["settings"])
            audit.record(
                user, "members.organisation_settings", org, organisation=org, before=before, after=after
            )
    return current


# --- terms and sessions --------------------------------------------------------------------------------

TERM_FIELDS = ["number", "name", "start_date", "end_date"]
SESSION_FIELDS = ["number", "name", "year", "start_date", "end_date", "proposal_deadline"]


def _check_committee(user, organisation: Organisation) -> None:
    if organisation is None or not in_scope(user, organisation):
        raise Invalid("请选择所属政协。", field="organisation")
    if organisation.kind == Organisation.Kind.LIAISON:
        raise Invalid("乡镇联络组不设届次、界别、专委会和承办单位，请选择政协。", field="organisation")
    if not organisation.is_active:
        raise Invalid("该组织已停用。", field="organisation")


def _check_dates(start, end, start_label="开始日期", end_label="结束日期", field="end_date") -> None:
    if start and end and end < start:
        raise Invalid(f"{end_label}不能早于{start_label}。", field=field)


def term_create(
    *, user, organisation: Organisation, number: int, name: str, start_date, end_date=None
) -> Term:
    _require(user, "members.manage", organisation)
    _check_committee(user, organisation)
    _check_dates(start_date, end_date)
    with transaction.atomic():
        if Term.objects.filter(organisation=organisation, number=number).exists():
            raise Invalid(f"{organisation.name}已有第{number}届。", field="number")
        term = Term.objects.create(
            organisation=organisation,
            number=number,
            name=name.strip(),
            start_date=start_date,
            end_date=end_date,
        )
        audit.record(user, "members.term_create", term, after=audit.snapshot(term, TERM_FIELDS))
    return term


def term_update(*, user, term: Term, data: dict) -> Term:
    _require(user, "members.manage", term)
    with transaction.atomic():
        term = Term.objects.select_for_update().get(pk=term.pk)
        _check_dates(data.get("start_date", term.start_date), data.get("end_date", term.end_date))
        if (
            "number" in data
            and Term.objects.filter(organisation=term.organisation_id, number=data["number"])
            .exclude(pk=term.pk)
            .exists()
        ):
            raise Invalid(f"已有第{data['number']}届。", field="number")
        before, after = _changes(term, data, TERM_FIELDS)
        if after:
            term.save()
            audit.record(user, "members.term_update", term, before=before, after=after)
    return term


def term_make_current(*, user, term: Term) -> Term:
    """Make this the current term of its organisation, atomically (one current term per organisation).

    A current session that belongs to another term stops being current."""
    _require(user, "members.manage", term)
    with transaction.atomic():
        term = Term.objects.select_for_update().get(pk=term.pk)
        if term.is_current:
            return term
        previous = Term.objects.filter(organisation=term.organisation_id, is_current=True).first()
        Term.objects.filter(organisation=term.organisation_id, is_current=True).update(is_current=False)
        Session.objects.filter(organisation=term.organisation_id, is_current=True).exclude(term=term).update(
            is_current=False
        )
        term.is_current = True
        term.save(update_fields=["is_current"])
        audit.record(
            user,
            "members.term_make_current",
            term,
            before={"current": str(previous) if previous else None},
            after={"current": str(term)},
        )
    return term


def session_create(
    *, user, term: Term, number: int, name: str, year: int, start_date, end_date, proposal_deadline=None
) -> Session:
    _require(user, "members.manage", term)
    _check_dates(start_date, end_date, "大会开始", "大会结束")
    with transaction.atomic():
        if Session.objects.filter(term=term, number=number).exists():
            raise Invalid(f"{term.name}已有第{number}次会议。", field="number")
        session = Session.objects.create(
            term=term,
            organisation_id=term.organisation_id,
            number=number,
            name=name.strip(),
            year=year,
            start_date=start_date,
            end_date=end_date,
            proposal_deadline=proposal_deadline,
        )
        audit.record(user, "members.session_create", session, after=audit.snapshot(session, SESSION_FIELDS))
    return session


def session_update(*, user, session: Session, data: dict) -> Session:
    _require(user, "members.manage", session)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        _check_dates(
            data.get("start_date", session.start_date),
            data.get("end_date", session.end_date),
            "大会开始",
            "大会结束",
        )
        if (
            "number" in data
            and Session.objects.filter(term=session.term_id, number=data["number"])
            .exclude(pk=session.pk)
            .exists()
        ):
            raise Invalid(f"本届已有第{data['number']}次会议。", field="number")
        before, after = _changes(session, data, SESSION_FIELDS)
        if after:
            session.save()
            audit.record(user, "members.session_update", session, before=before, after=after)
    return session


def session_make_current(*, user, session: Session) -> Session:
    """Make this the current session (proposals are numbered per session); its term becomes current too."""
    _require(user, "members.manage", session)
    with transaction.atomic():
        session = Session.objects.select_for_update(of=("self",)).select_related("term").get(pk=session.pk)
        if session.is_current and session.term.is_current:
            return session
        previous = Session.objects.filter(organisation=session.organisation_id, is_current=True).first()
        Session.objects.filter(organisation=session.organisation_id, is_current=True).update(is_current=False)
        if not session.term.is_current:
            Term.objects.filter(organisation=session.organisation_id, is_current=True).update(
                is_current=False
            )
            Term.objects.filter(pk=session.term_id).update(is_current=True)
        session.is_current = True
        session.save(update_fields=["is_current"])
        audit.record(
            user,
            "members.session_make_current",
            session,
            before={"current": str(previous) if previous else None},
            after={"current": str(session)},
        )
    return session


# --- ordered lists: sectors, special committees, parties ---------------------------------------------

ORDERED = {
    Sector: ("sector", "界别"),
    SpecialCommittee: ("committee", "专委会"),
    Party: ("party", "党派"),
}


def _ordered_siblings(obj_or_model, organisation=None):
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    qs = model.objects.all()
    if model is not Party:
        qs = qs.filter(organisation=organisation if organisation is not None else obj_or_model.organisation)
    return qs


def _ordered_create(model, *, user, organisation=None, name: str, order=None, **extra):
    code, label = ORDERED[model]
    name = (name or "").strip()
    if not name:
        raise Invalid(f"请填写{label}名称。", field="name")
    with transaction.atomic():
        siblings = _ordered_siblings(model, organisation)
        if siblings.filter(name=name).exists():
            raise Invalid(f"已有名为“{name}”的{label}。", field="name")
        if order is None:
            order = (siblings.aggregate(m=Max("order"))["m"] or 0) + 10
        kwargs = {"name": name, "order": order, **extra}
        if model is not Party:
            kwargs["organisation"] = organisation
        obj = model.objects.create(**kwargs)
        audit.record(
            user,
            f"members.{code}_create",
            obj,
            organisation=organisation,
            after={"name": name, "order": order, **extra},
        )
    return obj


def _ordered_update(obj, *, user, data: dict, fields=("name", "order")):
    code, label = ORDERED[type(obj)]
    data = dict(data)
    if data.get("order") is None:
        data.pop("order", None)
    with transaction.atomic():
        if "name" in data:
            data["name"] = (data["name"] or "").strip()
            if not data["name"]:
                raise Invalid(f"请填写{label}名称。", field="name")
            if _ordered_siblings(obj).filter(name=data["name"]).exclude(pk=obj.pk).exists():
                raise Invalid(f"已有名为“{data['name']}”的{label}。", field="name")
        before, after = _changes(obj, data, fields)
        if after:
            obj.save()
            audit.record(
                user,
                f"members.{code}_update",
                obj,
                organisation=getattr(obj, "organisation", None),
                before=before,
                after=after,
            )
    return obj


def _ordered_move(obj, *, user, direction: str):
    code, label = ORDERED[type(obj)]
    if direction not in ("up", "down"):
        raise Invalid("移动方向有误。")
    with transaction.atomic():
        items = list(_ordered_siblings(obj).select_for_update().order_by("order", "id"))
        i = next(n for n, x in enumerate(items) if x.pk == obj.pk)
        j = i - 1 if direction == "up" else i + 1
        if j < 0 or j >= len(items):
            return obj
        items[i], items[j] = items[j], items[i]
        changed = []
        for n, item in enumerate(items):
            if item.order != (n + 1) * 10:
                item.order = (n + 1) * 10
                changed.append(item)
        type(obj).objects.bulk_update(changed, ["order"])
        audit.record(
            user,
            f"members.{code}_move",
            obj,
            organisation=getattr(obj, "organisation", None),
            before={"position": i + 1},
            after={"position": j + 1},
        )
    return obj


def sector_create(*, user, organisation: Organisation, name: str, order: int | None = None) -> Sector:
    _require(user, "members.manage", organisation)
    _check_committee(user, organisation)
    return _ordered_create(Sector, user=user, organisation=organisation, name=name, order=order)


def sector_update(*, user, sector: Sector, data: dict) -> Sector:
    _require(user, "members.manage", sector)
    return _ordered_update(sector, user=user, data=data)


def sector_move(*, user, sector: Sector, direction: str) -> Sector:
    _require(user, "members.manage", sector)
    return _ordered_move(sector, user=user, direction=direction)


def committee_create(
    *, user, organisation: Organisation, name: str, order: int | None = None
) -> SpecialCommittee:
    _require(user, "members.manage", organisation)
    _check_committee(user, organisation)
    return _ordered_create(SpecialCommittee, user=user, organisation=organisation, name=name, order=order)


def committee_update(*, user, committee: SpecialCommittee, data: dict) -> SpecialCommittee:
    _require(user, "members.manage", committee)
    return _ordered_update(committee, user=user, data=data)


def committee_move(*, user, committee: SpecialCommittee, direction: str) -> SpecialCommittee:
    _require(user, "members.manage", committee)
    return _ordered_move(committee, user=user, direction=direction)


def party_create(*, user, name: str, short_name: str = "", order: int | None = None) -> Party:
    _require(user, "members.manage_parties")
    return _ordered_create(Party, user=user, name=name, order=order, short_name=(short_name or "").strip())


def party_update(*, user, party: Party, data: dict) -> Party:
    _require(user, "members.manage_parties")
    return _ordered_update(party, user=user, data=data, fields=("name", "short_name", "order"))


def party_move(*, user, party: Party, direction: str) -> Party:
    _require(user, "members.manage_parties")
    return _ordered_move(party, user=user, direction=direction)


# --- handling units and their handlers -------------------------------------------------------------

UNIT_FIELDS = ["name", "short_name", "kind", "leader_name", "leader_phone", "phone", "address", "order"]


def unit_create(
    *,
    user,
    organisation: Organisation,
    name: str,
    short_name: str = "",
    kind: str = HandlingUnit.Kind.GOVERNMENT,
    leader_name: str = "",
    leader_phone: str = "",
    phone: str = "",
    address: str = "",
    order: int | None = None,
) -> HandlingUnit:
    _require(user, "members.manage", organisation)
    _check_committee(user, organisation)
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写单位名称。", field="name")
    with transaction.atomic():
        if HandlingUnit.objects.filter(organisation=organisation, name=name).exists():
            raise Invalid(f"{organisation.name}已有承办单位“{name}”。", field="name")
        if order is None:
            order = (
                HandlingUnit.objects.filter(organisation=organisation).aggregate(m=Max("order"))["m"] or 0
            ) + 1
        unit = HandlingUnit.objects.create(
            organisation=organisation,
            name=name,
            short_name=short_name.strip(),
            kind=kind,
            leader_name=leader_name,
            leader_phone=leader_phone,
            phone=phone,
            address=address,
            order=order,
        )
        audit.record(user, "members.unit_create", unit, after=audit.snapshot(unit, UNIT_FIELDS))
    return unit


def unit_update(*, user, unit: HandlingUnit, data: dict) -> HandlingUnit:
    _require(user, "members.manage", unit)
    with transaction.atomic():
        unit = HandlingUnit.objects.select_for_update().get(pk=unit.pk)
        if "name" in data:
            data["name"] = (data["name"] or "").strip()
            if not data["name"]:
                raise Invalid("请填写单位名称。", field="name")
            if (
                HandlingUnit.objects.filter(organisation=unit.organisation_id, name=data["name"])
                .exclude(pk=unit.pk)
                .exists()
            ):
                raise Invalid(f"已有承办单位“{data['name']}”。", field="name")
        before, after = _changes(unit, data, UNIT_FIELDS)
        if after:
            unit.save()
            audit.record(user, "members.unit_update", unit, before=before, after=after)
    return unit


def unit_set_active(*, user, unit: HandlingUnit, active: bool) -> HandlingUnit:
    _require(user, "members.manage", unit)
    with transaction.atomic():
        unit = HandlingUnit.objects.select_for_update().get(pk=unit.pk)
        if unit.is_active != active:
            unit.is_active = active
            unit.save(update_fields=["is_active"])
            audit.record(
                user,
                "members.unit_activate" if active else "members.unit_deactivate",
                unit,
                before={"is_active": not active},
                after={"is_active": active},
            )
    return unit


def unit_handler_add(
    *,
    user,
    unit: HandlingUnit,
    username: str,
    name: str,
    role: str = Role.UNIT_HANDLER,
    phone: str = "",
    email: str = "",
    title: str = "",
) -> tuple[User, str]:
    """Create a handler (经办人) or head (负责人) account for the unit; returns it and its initial password."""
    _require(user, "members.manage", unit)
    if role not in UNIT_ROLES:
        raise Invalid("请选择经办人或负责人。", field="role")
    if not unit.is_active:
        raise Conflict("该承办单位已停用，不能添加账号。")
    return user_create(
        user=user,
        username=username,
        name=name,
        organisation=unit.organisation,
        roles=[role],
        phone=phone,
        email=email,
        handling_unit=unit,
        title=title,
    )


def unit_handler_remove(*, user, unit: HandlingUnit, handler: User) -> User:
    """Stop a handler account (kept, deactivated: its past work still names it)."""
    _require(user, "members.manage", unit)
    if handler.handling_unit_id != unit.pk:
        raise Invalid("该账号不属于本单位。")
    with transaction.atomic():
        if handler.is_active:
            handler.is_active = False
            handler.save(update_fields=["is_active"])
            audit.record(
                user,
                "members.unit_handler_remove",
                handler,
                organisation=unit.organisation,
                before={"is_active": True, "handling_unit": unit.name},
                after={"is_active": False},
            )
    return handler


# --- users and roles --------------------------------------------------------------------------------


def generate_password(user=None, length: int = 12) -> str:
    """A random password with upper and lower case letters, digits and symbols that passes the validators."""
    upper, lower, digits, symbols = (
        "ABCDEFGHJKLMNPQRSTUVWXYZ",
        "abcdefghijkmnpqrstuvwxyz",
        "23456789",
        "@#%+=!?",
    )
    rng = secrets.SystemRandom()
    while True:
        chars = [rng.choice(upper), rng.choice(lower), rng.choice(digits), rng.choice(symbols)]
        chars += [rng.choice(upper + lower + digits + symbols) for _ in range(length - 4)]
        rng.shuffle(chars)
        password = "".join(chars)
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue
        return password


def _check_phone(phone: str, exclude_user_pk=None, field: str = "phone") -> None:
    if not phone:
        return
    if not PHONE_RE.match(phone):
        raise Invalid("手机号须为 11 位数字。", field=field)
    if User.objects.filter(Q(phone=phone) | Q(username=phone)).exclude(pk=exclude_user_pk).exists():
        raise Invalid(f"手机号 {phone} 已被其他账号使用。", field=field)


def _check_roles(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise Invalid("角色有误。", field="roles")
    if len(roles & ADMIN_ROLES) > 1:
        raise Invalid("系统管理员、安全管理员、审计管理员须由不同的人担任（三员分立）。", field="roles")


def _check_user_fields(actor, *, organisation, roles: set[str], office: str, handling_unit, target=None):
    if organisation is None or not in_scope(actor, organisation):
        raise Invalid("请选择所属组织。", field="organisation")
    if not organisation.is_active:
        raise Invalid("该组织已停用。", field="organisation")
    _check_roles(roles)
    if Role.STAFF in roles and not office:
        raise Invalid("机关工作人员须选择所在科室。", field="office")
    if office and office not in Office.values:
        raise Invalid("科室有误。", field="office")
    if roles & UNIT_ROLES:
        if handling_unit is None:
            raise Invalid("承办单位经办人/负责人须选择承办单位。", field="handling_unit")
        if not in_scope(actor, handling_unit.organisation):
            raise Invalid("请选择承办单位。", field="handling_unit")
        if not handling_unit.is_active and (target is None or target.handling_unit_id != handling_unit.pk):
            raise Invalid("该承办单位已停用。", field="handling_unit")


def _user_snapshot(u: User, roles=None) -> dict:
    return {
        "username": u.username,
        "name": u.name,
        "phone": u.masked_phone,
        "email": u.email,
        "organisation": str(u.organisation) if u.organisation_id else None,
        "office": u.office,
        "handling_unit": str(u.handling_unit) if u.handling_unit_id else None,
        "title": u.title,
        "is_active": u.is_active,
        "roles": sorted(roles if roles is not None else u.role_codes),
    }


def user_create(
    *,
    user,
    username: str,
    name: str,
    organisation: Organisation,
    roles,
    phone: str = "",
    email: str = "",
    office: str = "",
    handling_unit: HandlingUnit | None = None,
    title: str = "",
) -> tuple[User, str]:
    """Create an account; returns it and a random initial password (shown once, changed at first login)."""
    _require(user, "members.manage", organisation)
    roles = set(roles)
    if Role.MEMBER in roles:
        raise Invalid("委员账号请在“委员名册”中添加或导入。", field="roles")
    if not roles:
        raise Invalid("请至少选择一个角色。", field="roles")
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise Invalid("用户名须为 3 位以上的字母、数字或 _ . @ + -。", field="username")
    if not (name or "").strip():
        raise Invalid("请填写姓名。", field="name")
    _check_user_fields(
        user, organisation=organisation, roles=roles, office=office, handling_unit=handling_unit
    )
    phone = (phone or "").strip()
    with transaction.atomic():
        if User.objects.filter(Q(username__iexact=username) | Q(phone=username)).exists():
            raise Invalid(f"用户名“{username}”已被使用。", field="username")
        _check_phone(phone)
        target = User(
            username=username,
            name=name.strip(),
            organisation=organisation,
            phone=phone or None,
            email=(email or "").strip(),
            office=office if Role.STAFF in roles else "",
            handling_unit=handling_unit if roles & UNIT_ROLES else None,
            title=(title or "").strip(),
            password_changed_at=MUST_CHANGE_PASSWORD_AT,
        )
        password = generate_password(target)
        target.set_password(password)
        target.save()
        target.set_roles(sorted(roles))
        audit.record(user, "members.user_create", target, after=_user_snapshot(target, roles))
    return target, password


USER_FIELDS = ["name", "phone", "email", "organisation", "office", "handling_unit", "title", "is_active"]


def user_update(*, user, target: User, data: dict, roles=None) -> User:
    """Change a user's details, organisation, office, active flag and (when given) roles."""
    _require(user, "members.manage", target)
    old_roles = set(target.role_codes)
    new_roles = set(roles) if roles is not None else set(old_roles)
    if roles is not None:
        new_roles.discard(Role.MEMBER)
        if Role.MEMBER in old_roles:
            new_roles.add(Role.MEMBER)  # kept: it goes with the roster entry
        if not new_roles:
            raise Invalid("请至少选择一个角色。", field="roles")
    data = dict(data)
    if "phone" in data:
        data["phone"] = (data["phone"] or "").strip() or None
    if "name" in data and not (data["name"] or "").strip():
        raise Invalid("请填写姓名。", field="name")
    organisation = data.get("organisation", target.organisation)
    office = data.get("office", target.office) or ""
    unit = data.get("handling_unit", target.handling_unit)
    if target.pk != user.pk and old_roles & ADMIN_ROLES and _contact_changes(target, data):
        # 三员分立: an administrator's phone and e-mail are where a forgotten password (忘记密码) and the
        # two-person reset send the new one; set by another administrator, that one could take the account.
        audit.record(user, "members.user_update_refused", target, after={"reason": "administrator_contact"})
        raise Forbidden(ADMIN_CONTACT_REFUSED)
    if target.pk == user.pk:
        if data.get("is_active", True) is False:
            raise Conflict("不能停用您自己的账号。")
        if Role.SYSADMIN in old_roles and Role.SYSADMIN not in new_roles:
            raise Conflict("不能取消您自己的系统管理员角色。")
    _check_user_fields(
        user, organisation=organisation, roles=new_roles, office=office, handling_unit=unit, target=target
    )
    if Role.STAFF not in new_roles:
        data["office"] = ""
    if not new_roles & UNIT_ROLES:
        data["handling_unit"] = None
    with transaction.atomic():
        target = (
            User.objects.select_for_update(of=("self",))
            .select_related("organisation", "handling_unit")
            .get(pk=target.pk)
        )
        if "phone" in data:
            _check_phone(data["phone"] or "", exclude_user_pk=target.pk)
        before_snap = _user_snapshot(target, old_roles)
        before, after = _changes(target, data, USER_FIELDS)
        if after:
            target.save()
            member = Member.objects.filter(user=target).first()
            if member is not None and ("name" in after or "phone" in after):
                member.name, member.phone = target.name, target.phone or ""
                member.save(update_fields=["name", "phone"])
        if new_roles != old_roles:
            target.set_roles(sorted(new_roles))
        after_snap = _user_snapshot(target, new_roles)
        if before_snap != after_snap:
            audit.record(
                user,
                "members.user_update",
                target,
                before={k: v for k, v in before_snap.items() if after_snap[k] != v},
                after={k: v for k, v in after_snap.items() if before_snap[k] != v},
            )
            if new_roles != old_roles and target.is_active:
                labels = dict(Role.choices)
                notify(
                    [target],
                    "您的角色已变更",
                    "当前角色：" + "、".join(labels[r] for r in Role.values if r in new_roles),
                    email=False,
                )
    return target


ADMIN_CONTACT_REFUSED = (
    "管理员账号（系统管理员、安全管理员、审计管理员）的手机号和电子邮箱用于找回密码，"
    "只能由本人在“账号安全”中修改，其他管理员不能修改（三员分立）。"
)


def _contact_changes(target: User, data: dict) -> bool:
    return any(
        key in data and (data[key] or "").strip() != (getattr(target, key) or "")
        for key in ("phone", "email")
    )


def own_contact_update(*, user: User, phone: str, email: str, password: str) -> User:
    """The account's own phone number and e-mail (账号安全), confirmed by its password; audited. For an
    administrator the only way to change them (user_update refuses another administrator)."""
    if not set(user.role_codes) & ADMIN_ROLES:
        raise Forbidden("委员和工作人员的手机号、邮箱由系统管理员维护。")
    phone, email = (phone or "").strip(), (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid("请输入有效的邮箱地址。", field="email") from None
    if not user.check_password(password or ""):
        raise Invalid("密码不正确。", field="password")
    _check_phone(phone, exclude_user_pk=user.pk)
    with transaction.atomic():
        target = User.objects.select_for_update().get(pk=user.pk)
        before, after = _changes(target, {"phone": phone or None, "email": email}, ["phone", "email"])
        if after:
            target.save()
            member = Member.objects.filter(user=target).first()
            if member is not None and "phone" in after:
                member.phone = target.phone or ""
                member.save(update_fields=["phone"])
            audit.record(user, "members.own_contact_update", target, before=before, after=after)
    return target


ADMIN_RESET_REFUSED = (
    "管理员账号（系统管理员、安全管理员、审计管理员）的密码不能由其他管理员重置（三员分立）："
    "请本人登录后在“修改密码”中更改；本人无法登录时，请点击“申请重置密码”，"
    "经另一名管理员批准后，新密码发送到该账号本人的手机或邮箱（全程留痕）。"
)


def user_reset_password(*, user, target: User) -> str:
    """A new random password, shown once to the administrator; the user must change it at next login."""
    _require(user, "members.manage_security", target, "无权重置密码。")
    if not in_scope(user, target.organisation):
        raise Forbidden("无权重置该账号的密码。")
    if target.pk == user.pk:
        raise Conflict("请通过“修改密码”更改您自己的密码。")
    if set(target.role_codes) & ADMIN_ROLES:
        # 三员分立: no administrator sets or sees another administrator's password (the security
        # administrator could otherwise log in as the auditor, the system administrator as either).
        audit.record(user, "members.user_reset_password_refused", target, after={"reason": "administrator"})
        raise Forbidden(ADMIN_RESET_REFUSED)
    with transaction.atomic():
        password = generate_password(target)
        ApiToken.revoke_all(target, "password_reset", actor=user)
        target.set_password(password)
        target.password_changed_at = MUST_CHANGE_PASSWORD_AT
        target.save(update_fields=["password", "password_changed_at"])
        _axes_reset(target)
        audit.record(user, "members.user_reset_password", target)
    return password


def _deliver_admin_password(target: User, password: str) -> None:
    """The new password to the account's own phone and e-mail only (never stored, never shown)."""
    from django.conf import settings
    from django.core.mail import send_mail

    from zhengxie.core import sms

    text = f"【{settings.PLATFORM_NAME}】您的管理员账号 {target.username} 的密码已重置，临时密码：{password}，登录后须立即修改。"
    if target.phone:
        sms.get_backend().send(target.phone, text)
    if target.email:
        send_mail("管理员账号密码已重置", text, None, [target.email], fail_silently=True)


def admin_reset_request(*, user, target: User, reason: str = ""):
    """三员分立: ask for an administrator's password reset; another administrator must approve it."""
    from .models import AdminPasswordReset

    _require(user, "members.manage_security", target, "无权重置密码。")
    if not in_scope(user, target.organisation):
        raise Forbidden("无权重置该账号的密码。")
    if target.pk == user.pk:
        raise Conflict("请通过“修改密码”更改您自己的密码。")
    if not set(target.role_codes) & ADMIN_ROLES:
        raise Conflict("普通账号可直接重置密码，无需审批。")
    if not (target.phone or target.email):
        raise Conflict(
            "该管理员账号没有登记手机号或电子邮箱，新密码无法送达本人：须由本人登录后在“账号安全”中登记。"
        )
    with transaction.atomic():
        if AdminPasswordReset.objects.filter(
            target=target, status=AdminPasswordReset.Status.PENDING
        ).exists():
            raise Conflict("该账号已有待批准的密码重置申请。")
        reset = AdminPasswordReset.objects.create(target=target, requested_by=user, reason=reason[:200])
        audit.record(
            user, "members.admin_reset_request", target, after={"request": reset.pk, "reason": reason}
        )
        approvers = [
            u
            for u in User.objects.filter(is_active=True).exclude(pk__in=[user.pk, target.pk])
            if set(u.role_codes) & ADMIN_ROLES and in_scope(u, target.organisation)
        ]
        notify(
            approvers,
            f"管理员密码重置待批准：{target.name or target.username}",
            f"{user.name or user.username} 申请重置该管理员账号的密码，须由另一名管理员批准（三员分立）。",
            url=f"/manage/users/{target.pk}/",
            category="members",
            email=False,
        )
    return reset


def admin_reset_approve(*, user, reset) -> None:
    """The second administrator approves: the password is reset (must be changed at next login), the
    account's tokens end, and the new password goes to the account's own phone/e-mail only."""
    from .models import AdminPasswordReset

    target = reset.target
    if not set(user.role_codes) & ADMIN_ROLES or not in_scope(user, target.organisation):
        raise Forbidden("只有管理员可以批准管理员密码重置。")
    if user.pk in (reset.requested_by_id, target.pk):
        raise Forbidden("须由申请人和账号本人以外的另一名管理员批准（三员分立）。")
    with transaction.atomic():
        locked = AdminPasswordReset.objects.select_for_update().get(pk=reset.pk)
        if locked.status != AdminPasswordReset.Status.PENDING:
            raise Conflict("该申请已处理。")
        password = generate_password(target)
        ApiToken.revoke_all(target, "password_reset", actor=user)
        target.set_password(password)
        target.password_changed_at = MUST_CHANGE_PASSWORD_AT
        target.save(update_fields=["password", "password_changed_at"])
        _axes_reset(target)
        AdminPasswordReset.objects.filter(pk=reset.pk).update(
            status=AdminPasswordReset.Status.DONE, approved_by=user, decided_at=timezone.now()
        )
        audit.record(
            user,
            "members.admin_reset_approve",
            target,
            after={"request": reset.pk, "requested_by": reset.requested_by_id},
        )
        transaction.on_commit(lambda: _deliver_admin_password(target, password))


def _axes_reset(target: User) -> int:
    from axes.utils import reset

    n = reset(username=target.username)
    if target.phone:
        n += reset(username=target.phone)
    return n


def user_unlock(*, user, target: User) -> int:
    """Clear django-axes' failed logins for the account (its username and phone number)."""
    _require(user, "members.manage_security", target, "无权解锁账号。")
    if not in_scope(user, target.organisation):
        raise Forbidden("无权解锁该账号。")
    with transaction.atomic():
        n = _axes_reset(target)
        audit.record(user, "members.user_unlock", target, after={"cleared_attempts": n})
    return n


# --- members --------------------------------------------------------------------------------------

MEMBER_FIELDS = [
    "code",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "party",
    "sector",
    "liaison_group",
    "position",
    "is_standing",
    "entry_term_number",
    "employer",
    "job_title",
    "education",
    "phone",
    "id_number",
    "address",
    "status",
    "term",
]
SENSITIVE = {"id_number", "address"}


def _clean_member_data(
    organisation: Organisation, data: dict, *, committees=None, member: Member | None = None
) -> dict:
    """Check a member's fields against their committee's lists (for a new member, or the changes of one).

    Returns the data with the name trimmed, the ID number upper-cased and the phone number trimmed;
    raises Invalid(field=...) with a Chinese message. The phone number's uniqueness is checked by the
    caller, inside its transaction."""
    data = dict(data)

    def value(f):
        return data[f] if f in data else getattr(member, f, None)

    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    if not (value("name") or "").strip():
        raise Invalid("请填写姓名。", field="name")
    if value("gender") not in Member.Gender.values:
        raise Invalid("请选择性别。", field="gender")
    sector = value("sector")
    if sector is None or sector.organisation_id != organisation.pk:
        raise Invalid("请选择本组织的界别。", field="sector")
    party = data.get("party")
    if party is not None and not Party.objects.filter(pk=party.pk).exists():
        raise Invalid("党派有误。", field="party")
    group = value("liaison_group")
    if group is not None and not (
        group.kind == Organisation.Kind.LIAISON and group.path.startswith(organisation.path)
    ):
        raise Invalid("请选择本组织的乡镇联络组。", field="liaison_group")
    term = value("term")
    if term is not None and term.organisation_id != organisation.pk:
        raise Invalid("请选择本组织的届次。", field="term")
    if committees is not None and any(c.organisation_id != organisation.pk for c in committees):
        raise Invalid("请选择本组织的专委会。", field="committees")
    if data.get("id_number"):
        data["id_number"] = data["id_number"].strip().upper()
        problem = check_id_number(data["id_number"])
        if problem:
            raise Invalid(problem, field="id_number")
    if member is None or "phone" in data:
        data["phone"] = (data.get("phone") or "").strip()
        if not data["phone"]:
            raise Invalid("请填写手机号。", field="phone")
        if not PHONE_RE.match(data["phone"]):
            raise Invalid("手机号须为 11 位数字。", field="phone")
    return data


CREATE_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "party",
    "sector",
    "liaison_group",
    "position",
    "is_standing",
    "entry_term_number",
    "employer",
    "job_title",
    "education",
    "phone",
    "id_number",
    "address",
    "code",
    "term",
]


def member_create(*, user, organisation: Organisation, data: dict, committees=()) -> tuple[Member, str]:
    """Add one member to a committee's roster, with their account, in one transaction.

    The account: role member, username = the phone number, a random complex initial password (returned,
    to be shown once) that must be changed at the first login. Its term is the committee's current term
    unless given; a missing birth date is read from the ID number."""
    _require(user, "members.add_member", organisation, "无权添加委员。")
    if organisation is None or not in_scope(user, organisation):
        raise Invalid("请选择所属政协。", field="organisation")
    if organisation.kind == Organisation.Kind.LIAISON:
        raise Invalid(
            "委员须属于政协，而不是乡镇联络组：联络组请在“乡镇联络组”一栏选择。", field="organisation"
        )
    if not organisation.is_active:
        raise Invalid("该组织已停用。", field="organisation")
    committees = list(committees or [])
    data = _clean_member_data(
        organisation, {k: v for k, v in data.items() if k in CREATE_FIELDS}, committees=committees
    )
    for f in ("ethnicity", "position", "employer", "job_title", "education", "id_number", "address", "code"):
        data[f] = (data.get(f) or "").strip()
    data["ethnicity"] = data["ethnicity"] or "汉族"
    data["is_standing"] = bool(data.get("is_standing"))
    if not data.get("birth_date") and data["id_number"]:
        data["birth_date"] = id_birth_date(data["id_number"])
    if not data.get("term"):
        data["term"] = Term.objects.filter(organisation=organisation, is_current=True).first()
    phone = data["phone"]
    taken = Invalid(f"手机号 {phone} 已被其他账号使用。", field="phone")
    with transaction.atomic():
        _check_phone(phone)
        if Member.objects.filter(phone=phone).exists():
            raise taken
        account = User(
            username=phone,
            name=data["name"],
            phone=phone,
            organisation=organisation,
            password_changed_at=MUST_CHANGE_PASSWORD_AT,
        )
        password = generate_password(account)
        account.set_password(password)
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError:  # the same number, added at the same moment by someone else
            raise taken
        account.set_roles([Role.MEMBER])
        member = Member(user=account, organisation=organisation, **data)
        member.save()
        member.committees.set(committees)
        after = {
            f: _jsonable(getattr(member, f)) for f in CREATE_FIELDS if getattr(member, f) not in ("", None)
        }
        after.update(
            phone=member.masked_phone,
            username=account.username,
            committees="、".join(c.name for c in committees),
        )
        for f in SENSITIVE & set(after):
            after[f] = "（已填写）"
        audit.record(user, "members.member_create", member, after=after)
        notify(
            [account],
            "您的委员账号已开通",
            f"欢迎使用智慧政协履职平台。您已登记为{organisation.name}委员，请用手机号登录，首次登录须修改初始密码。",
            email=False,
        )
    return member, password


def member_update(*, user, member: Member, data: dict, committees=None) -> Member:
    """Edit a member's record (and the name/phone of their account)."""
    _require(user, "members.change_member", member)
    data = _clean_member_data(member.organisation, data, committees=committees, member=member)
    if "phone" in data:
        _check_phone(data["phone"], exclude_user_pk=member.user_id)
    with transaction.atomic():
        member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
        before, after = _changes(member, data, MEMBER_FIELDS)
        if committees is not None:
            old = sorted(member.committees.values_list("name", flat=True))
            new = sorted(c.name for c in committees)
            if old != new:
                before["committees"], after["committees"] = "、".join(old), "、".join(new)
                member.committees.set(committees)
        for f in SENSITIVE & set(after):
            before[f], after[f] = "（已修改）", "（已修改）"
        if "phone" in after:
            before["phone"] = (before["phone"] or "")[:3] + "****"
            after["phone"] = member.masked_phone
        if after:
            member.save()
            account = member.user
            changed = []
            if account.name != member.name:
                account.name = member.name
                changed.append("name")
            if (account.phone or "") != member.phone:
                account.phone = member.phone or None
                changed.append("phone")
            if changed:
                account.save(update_fields=changed)
            audit.record(user, "members.member_update", member, before=before, after=after)
    return member
