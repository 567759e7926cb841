"""Public survey pages (no login) and the survey figures for staff."""

app_name = "feedback"
urlpatterns: list = []
