from django.urls import path

from .views import member, public, staff, swaps

app_name = "studios"

urlpatterns = [
    # staff (办公室; readers above see the same, read-only)
    path("", staff.studio_list, name="list"),
    path("new/", staff.studio_create, name="create"),
    path("figures.xlsx", staff.figures_export, name="figures_export"),
    path("<int:pk>/", staff.studio_detail, name="detail"),
    path("<int:pk>/edit/", staff.studio_edit, name="edit"),
    path("<int:pk>/rota/", staff.rota, name="rota"),
    path("<int:pk>/poster.<str:fmt>", staff.studio_poster, name="poster"),
    path("posters/organisation.<str:fmt>", staff.organisation_poster, name="organisation_poster"),
    path("duty/<int:pk>/swap/", swaps.swap_ask, name="swap_ask"),
    path("duty/<int:pk>/<str:action>/", staff.duty_action, name="duty_action"),
    path("<int:pk>/swaps/", swaps.studio_swaps, name="swaps"),
    path("swaps/<int:pk>/<str:action>/", swaps.swap_action, name="swap_action"),
    path("bookings/", staff.bookings, name="bookings"),
    # members
    path("mine/", member.mine, name="mine"),
    path("offers/new/", member.offer_create, name="offer_create"),
    path("offers/<int:pk>/edit/", member.offer_edit, name="offer_edit"),
    path("bookings/<int:pk>/", member.booking_detail, name="booking"),
    path("bookings/<int:pk>/<str:action>/", member.booking_action, name="booking_action"),
    path("records/new/", member.record_create, name="record_create"),
    path("records/<int:pk>/withdraw/", member.record_withdraw, name="record_withdraw"),
    # the public (no login)
    path("public/booking/", public.booking_page, name="public_booking"),
    path("public/studio/<int:pk>/", public.studio_page, name="public_studio"),
    path("public/service/<int:pk>/", public.offer_page, name="public_offer"),
    path("public/<slug:code>/services/", public.services_list, name="public_services"),
]
