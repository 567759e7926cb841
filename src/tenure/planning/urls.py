from django.urls import path

from tenure.planning import review_views, views

app_name = "planning"
urlpatterns = [
    path("accounts/<int:account_id>/plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_page, name="plan"),
    path("actions/<int:pk>/finish/", views.action_finish, name="action_finish"),
    path("accounts/<int:account_id>/milestones/new/", views.milestone_new, name="milestone_new"),
    path("milestones/<int:pk>/resolve/", views.milestone_resolve, name="milestone_resolve"),
]

# Quarterly performance reviews.
urlpatterns += [
    path("accounts/<int:account_id>/reviews/<int:pk>/", review_views.review_page, name="review"),
    path(
        "accounts/<int:account_id>/reviews/<int:pk>/finalise/",
        review_views.review_finalise,
        name="review_finalise",
    ),
    path(
        "accounts/<int:account_id>/reviews/<int:pk>.pdf",
        review_views.review_pdf,
        name="review_pdf",
    ),
]
