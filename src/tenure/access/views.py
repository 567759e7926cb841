"""Log-in with failure limits, and the "My API tokens" page (create, list, revoke)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tenure.access import throttle
from tenure.access.forms import TokenForm
from tenure.access.selectors import tokens_of
from tenure.access.services import token_create
from tenure.access.services import token_revoke as revoke
from tenure.core.errors import DomainError
from tenure.core.http import AuthenticatedHttpRequest


class _LimitedLogin(auth_views.LoginView):
    """Django's log-in, refusing an address or username after too many failures (429).

    Every password form of Tenure is one of these, so a failure anywhere counts everywhere.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        verdict = throttle.login_allowed(request, username)
        if not verdict.allowed:
            minutes = -(-verdict.retry_after // 60)
            messages.error(
                request,
                f"Too many failed log-ins. Try again in {minutes} minute{'s' * (minutes != 1)}.",
            )
            response = self.render_to_response(self.get_context_data(form=self.get_form_class()()))
            response.status_code = 429
            response["Retry-After"] = str(verdict.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        # A right password refused for another reason (not staff, on the admin's form) is
        # no guess: only failed authentication counts.
        if form.get_user() is None:
            throttle.login_failed(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        throttle.login_succeeded(self.request.POST.get("username", ""))
        return super().form_valid(form)


class LoginView(_LimitedLogin):
    """Tenure's log-in page."""


class AdminLoginView(_LimitedLogin):
    """The admin site's log-in page under the same limits as Tenure's.

    Served at ``/admin/login/`` in place of ``AdminSite.login``, whose form would otherwise
    be a second way to guess passwords. It keeps the admin's page and its form, which lets
    only staff in; the context is what ``AdminSite.login`` gives its template.
    """

    template_name = "admin/login.html"

    def get_form_class(self) -> Any:
        # Imported late, as AdminSite.login does: the admin's forms import the user model.
        from django.contrib.admin.forms import AdminAuthenticationForm

        return AdminAuthenticationForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if admin.site.has_permission(request):
            return redirect("admin:index")
        return super().get(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return reverse("admin:index")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            admin.site.each_context(self.request),
            title="Log in",
            subtitle=None,
            app_path=self.request.get_full_path(),
            username=self.request.user.get_username(),
        )
        if not context.get(self.redirect_field_name):
            context[self.redirect_field_name] = reverse("admin:index")
        return context


@never_cache
@require_http_methods(["GET", "POST"])
def token_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the user's tokens and make a new one, whose secret is shown in this response only.

    The secret is rendered straight away rather than after a redirect, so it is never
    kept in the session or a message; ``never_cache`` keeps it out of caches.
    """
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            form = TokenForm()
    now = timezone.now()
    context = {
        "form": form,
        "issued": issued,
        "tokens": [(token, token.status(now)) for token in tokens_of(user=request.user)],
    }
    status = 201 if issued else (400 if form.errors else 200)
    return render(request, "access/tokens.html", context, status=status)


@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm, then revoke one of the user's own tokens."""
    token = tokens_of(user=request.user).filter(pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404("No such token")
    if request.method == "POST":
        try:
            revoke(token=token)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The token “{token.name}” is revoked.")
        return redirect("access:tokens")
    return render(request, "access/token_revoke.html", {"token": token})
