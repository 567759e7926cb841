"""The request a page behind the log-in receives, as the type checker should see it."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request to a page that ``LoginRequiredMiddleware`` guards (every page not marked
    ``login_not_required``): its user is signed in, never ``AnonymousUser``.

    ``HtmxMiddleware`` runs on every request, so ``htmx`` is always there.
    """

    user: User
    htmx: HtmxDetails
