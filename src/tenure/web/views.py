"""The home page and health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from tenure.accounts.selectors import key_account_managers


def home(request: HttpRequest) -> HttpResponse:
    """Until "my accounts" lands, home is the accounts list narrowed to the user's own."""
    if key_account_managers().filter(pk=request.user.pk).exists():
        return redirect(f"/accounts/?manager={request.user.pk}&sort=-tier")
    return redirect("accounts:index")


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
