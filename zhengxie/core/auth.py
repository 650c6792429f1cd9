import re

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Aggregate, CharField, OuterRef, Q, Subquery
from django.utils import timezone

from .keyedread import KeyedRead


def find_account(identifier: str):
    """The account a login identifier names: its username first, else its mobile phone number."""
    from .models import User

    if not identifier:
        return None
    found = list(User.objects.filter(Q(username=identifier) | Q(phone=identifier))[:2])
    return next((u for u in found if u.username == identifier), found[0] if found else None)


def axes_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: django-axes counts failures against the ACCOUNT, whatever identifier was
    typed (the username or the phone number), so five wrong passwords lock it under both; an identifier
    that names no account is counted as typed."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    typed = (credentials or {}).get(field)
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get(field)
    if not typed:
        return typed
    account = find_account(typed)
    return account.username if account is not None else typed


class _RoleNames(Aggregate):
    """A user's role codes in one string, comma-separated: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


ROLE_NAMES = "zx_role_names"


def role_names(user_ref: str = "pk") -> Subquery:
    """The role codes of the user `user_ref` (an outer column) as one string, for `.annotate(**{ROLE_NAMES: …})`."""
    from .models import User

    through = User.groups.through
    return Subquery(
        through.objects.filter(user_id=OuterRef(user_ref))
        .order_by()
        .values("user_id")
        .annotate(names=_RoleNames("group__name"))
        .values("names")[:1],
        output_field=CharField(),
    )


# What every request asks of its user, read with the user's row (issue 16): the organisation (the scope of
# every list), the 委员 (members.selectors.member_of; its two encrypted fields left unread) and the roles.
REQUEST_RELATED = ("organisation", "member")
REQUEST_DEFERRED = ("member__id_number", "member__address")


def adopt_request_facts(user, role_names_value: str | None):
    """Puts the roles read with the user's row where `User.role_codes` and `member_of` look first, so that
    the request's permission questions run no query of their own."""
    user.__dict__["role_codes"] = frozenset(x for x in (role_names_value or "").split(",") if x)
    try:
        user.__dict__["_zx_member"] = user.member
    except user.__class__.member.RelatedObjectDoesNotExist:
        user.__dict__["_zx_member"] = None
    return user


def request_users():
    """Users as a request loads them: one query for the row, its organisation, its 委员 and its roles."""
    from .models import User

    return (
        User.objects.select_related(*REQUEST_RELATED)
        .defer(*REQUEST_DEFERRED)
        .annotate(**{ROLE_NAMES: role_names()})
    )


def _session_users(pk):
    return request_users().filter(pk=pk)


# A session's user (`request_users`) by id, its SQL compiled once (core.keyedread).
SESSION_USER_READ = KeyedRead(_session_users, pk=("core.User", "id"))


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with the username or the mobile phone number. A session's user is read in one query with
    what the request's permission checks need (`request_users`)."""

    def get_user(self, user_id):
        user = SESSION_USER_READ(pk=user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return adopt_request_facts(user, getattr(user, ROLE_NAMES))

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = find_account(username)
        if user is None:
            from .models import User

            User().set_password(password)  # same work either way: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class ComplexityValidator:
    """At least three of: lower case, upper case, digits, symbols (等保 password policy)."""

    def validate(self, password, user=None):
        classes = [r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"]
        if sum(bool(re.search(c, password)) for c in classes) < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_too_simple"
            )

    def get_help_text(self):
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"


def password_change_required(user) -> bool:
    """Whether the user must change the password before doing anything else: set by an administrator
    (a new account, an import, a reset) or past PASSWORD_EXPIRY_DAYS. Pages redirect to the change form
    (core.middleware); the API answers 403 with code `password_change_required` (zhengxie.api)."""
    from .models import MUST_CHANGE_PASSWORD_AT

    changed = user.password_changed_at
    if changed is None:
        return False
    if changed <= MUST_CHANGE_PASSWORD_AT:
        return True
    days = settings.PASSWORD_EXPIRY_DAYS
    return bool(days and (timezone.now() - changed).days >= days)
