from django.contrib.auth import authenticate
from ninja import Field, Router, Schema

from zhengxie.core import audit
from zhengxie.core.apiauth import BearerAuth, SessionAuth
from zhengxie.core.auth import password_change_required
from zhengxie.core.errors import Forbidden, ServiceError

router = Router(tags=["账号"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = Field(None, description="已开启两步验证的账号：身份验证器当前显示的 6 位验证码")


class TokenOut(Schema):
    token: str
    expires_in_days: int = 7


class OrgOut(Schema):
    id: int
    name: str
    kind: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[str]
    organisation: OrgOut | None
    office: str = ""
    handling_unit_id: int | None = None
    member_id: int | None = None


class Unauthorized(ServiceError):
    status = 401


@router.post("/auth/token", auth=None, response={200: TokenOut}, summary="用户名/手机号+密码换取令牌")
def token(request, payload: TokenIn):
    from zhengxie.core.models import ApiToken

    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise ServiceError("登录失败次数过多，账号已被临时锁定。", code="locked")
        raise Unauthorized("用户名/手机号或密码错误。", code="invalid_credentials")
    _check_second_factor(request, user, payload)
    if password_change_required(user):
        raise Forbidden("您的密码须先修改：请登录网页修改密码后再申请令牌。", code="password_change_required")
    key = ApiToken.issue(user)
    audit.record(user, "auth.token_issue", user)
    return {"token": key}


class LogoutOut(Schema):
    revoked: int


@router.post(
    "/auth/logout",
    auth=[BearerAuth(check_password=False), SessionAuth()],
    response={200: LogoutOut},
    summary="注销当前令牌",
)
def logout(request):
    """Ends the token this request carries (other tokens of the user stay; 账号安全 lists them)."""
    from zhengxie.core.models import ApiToken

    t = getattr(request, "api_token", None)
    n = 0
    if t is not None:
        n, _ = ApiToken.objects.filter(pk=t.pk).delete()
        if n:
            audit.record(
                request.user, "auth.token_revoke", request.user, after={"tokens": n, "reason": "logout"}
            )
    return {"revoked": n}


def _check_second_factor(request, user, payload: TokenIn) -> None:
    """No token on the password alone for a user with an authenticator (the API is not a way around it)."""
    from zhengxie.core import twofactor

    device = twofactor.device_for(user)
    if device is None:
        if twofactor.is_required(user):
            raise Forbidden("您的账号须开启两步验证：请先登录网页，在“账号安全”中开启后再申请令牌。")
        return
    if not (payload.otp or "").strip():
        raise Unauthorized(
            "该账号已开启两步验证，请在 otp 中提交身份验证器当前显示的 6 位验证码。", code="otp_required"
        )
    reason = twofactor.check_code(device, payload.otp)
    if reason:
        twofactor.code_failed(request, user, payload.username, where="api")
        raise Unauthorized(reason, code="invalid_otp")


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    u = request.user
    return {
        "id": u.pk,
        "username": u.username,
        "name": u.name,
        "roles": sorted(u.role_codes),
        "organisation": u.organisation,
        "office": u.office,
        "handling_unit_id": u.handling_unit_id,
        "member_id": _member_id(u),
    }


def _member_id(user) -> int | None:
    from zhengxie.members.models import Member

    return Member.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
