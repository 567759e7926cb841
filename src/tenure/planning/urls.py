from django.urls import path

from tenure.planning import onboarding_views, plan_template_views, review_views, views

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

# Onboarding a new key account.
urlpatterns += [
    path(
        "accounts/<int:account_id>/onboarding/",
        onboarding_views.onboarding_page,
        name="onboarding",
    ),
    path("onboarding/steps/<int:pk>/tick/", onboarding_views.step_tick, name="onboarding_tick"),
    path(
        "onboarding/steps/<int:pk>/untick/",
        onboarding_views.step_untick,
        name="onboarding_untick",
    ),
    path("onboarding/template/", onboarding_views.template_page, name="onboarding_template"),
    path(
        "onboarding/template/<int:pk>/remove/",
        onboarding_views.template_step_remove,
        name="onboarding_template_remove",
    ),
]

# Plan templates (directors).
urlpatterns += [
    path("plan-templates/", plan_template_views.template_list, name="plan_templates"),
    path("plan-templates/<int:pk>/", plan_template_views.template_page, name="plan_template"),
    path(
        "plan-templates/<str:part>/<int:pk>/remove/",
        plan_template_views.template_remove,
        name="plan_template_remove",
    ),
]
