from django.urls import path

from . import views

app_name = "yearbook"

urlpatterns = [
    path("", views.year_page, name="year"),
    path("levels/", views.levels_page, name="levels"),
    path("recount/", views.recount, name="recount"),
    path("export.xlsx", views.export_xlsx, name="xlsx"),
    path("export.docx", views.export_docx, name="docx"),
]
