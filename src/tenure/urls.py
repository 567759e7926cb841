"""Tenure's URL map."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tenure.access import views as access_views
from tenure.accounts import urls as accounts_urls
from tenure.api.api import api
from tenure.engagement import urls as engagement_urls
from tenure.growth import urls as growth_urls
from tenure.planning import urls as planning_urls
from tenure.scoring import urls as scoring_urls
from tenure.web import saved_views as web_saved_views
from tenure.web import search as web_search
from tenure.web import urls as web_urls
from tenure.web import views as web_views

admin.site.site_header = "Tenure administration"
admin.site.site_title = "Tenure"
# Says why (a query parameter that is not a valid id…) instead of a bare "Bad Request".
handler400 = "tenure.web.views.bad_request"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("search/", web_search.search_page, name="search"),
    path("search/jump/", web_search.search_jump, name="search_jump"),
    path("views/save/", web_saved_views.view_save, name="saved_view_save"),
    path("views/<int:pk>/default/", web_saved_views.view_default, name="saved_view_default"),
    path("views/<int:pk>/delete/", web_saved_views.view_delete, name="saved_view_delete"),
    path("login/", access_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(([*accounts_urls.urlpatterns, *web_urls.accounts], "accounts"))),
    path("", include(([*engagement_urls.urlpatterns, *web_urls.engagement], "engagement"))),
    path("", include(([*planning_urls.urlpatterns, *web_urls.planning], "planning"))),
    path("feedback/", include("tenure.feedback.urls")),
    path("portfolio/", include(([*scoring_urls.urlpatterns, *web_urls.scoring], "scoring"))),
    path("growth/", include(([*growth_urls.urlpatterns, *web_urls.growth], "growth"))),
    path("tasks/", include("tenure.alerts.urls")),
    path("notifications/", include("tenure.alerts.notification_urls")),
    path("api/v1/", api.urls),
    path("me/", include("tenure.access.urls")),
    # Before the admin's own log-in: one password form per site, one failure limit.
    path("admin/login/", access_views.AdminLoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
]
