"""The pages composed in ``tenure.web``, filed under the URL namespaces they always had.

``tenure.urls`` adds each list to its app's namespace, so ``accounts:detail`` and the other names
(and every URL) stay as they were while the views live above the apps they read from.
"""

from django.urls import URLPattern, path

from tenure.web import (
    account_index,
    account_page,
    account_potential,
    brief_views,
    portfolio,
    quarterly_review,
    track_record,
)

accounts: list[URLPattern] = [
    path("", account_index.account_index, name="index"),
    path("<int:pk>/", account_page.account_page, name="detail"),
    path("<int:pk>/tab/<slug:name>/", account_page.account_tab, name="tab"),
    path("<int:pk>/what-if/<int:contact_id>/", account_page.what_if_left, name="what_if"),
]

engagement: list[URLPattern] = [
    path("accounts/<int:account_id>/brief/", brief_views.brief_page, name="brief"),
    path("accounts/<int:account_id>/brief.pdf", brief_views.brief_pdf, name="brief_pdf"),
]

growth: list[URLPattern] = [
    path("accounts/<int:pk>/potential/", account_potential.potential_set, name="potential"),
]

planning: list[URLPattern] = [
    path("accounts/<int:account_id>/reviews/", quarterly_review.review_list, name="reviews"),
]

scoring: list[URLPattern] = [
    path("", portfolio.portfolio, name="portfolio"),
    path("track-record/", track_record.track_record, name="track_record"),
]
