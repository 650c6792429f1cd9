"""Every state change of the studios app (studios, the 线上值班 rota, the 为民服务超市): permission check, one
transaction, audit entry, duty records and notifications. Errors are core.errors with Chinese messages."""

from .market import (  # noqa: F401
    booking_accept,
    booking_by_code,
    booking_cancel,
    booking_create,
    booking_decline,
    booking_record,
    check_booking,
    check_offer,
    check_service,
    mask_phone,
    new_booking_code,
    normalise_code,
    offer_create,
    offer_update,
    public_offer,
    public_organisation,
    service_record_create,
    service_record_withdraw,
)
from .rota import (  # noqa: F401
    close_past_duties,
    duty_absent,
    duty_ask_leave,
    duty_decide_leave,
    duty_done,
    month_days,
    rota_fill,
    rota_plan,
)
from .studios import check_members, check_studio, studio_create, studio_update  # noqa: F401
from .swaps import swap_accept, swap_ask, swap_cancel, swap_decide, swap_decline  # noqa: F401
