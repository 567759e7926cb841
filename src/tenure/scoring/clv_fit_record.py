"""The CLV fit of a scoring run: kept on the run, and said in words.

The fit summary comes from :func:`tenure.insights.clv.fit_transaction_model` through the
run's parameters; it is copied to ``ScoringRun.clv_fit`` so pages, the API and
``tenure score`` read one field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tenure.scoring.models import ScoringRun

__all__ = ["ClvFitLabel", "clv_fit_described", "clv_fit_label", "scoring_run_record_clv_fit"]


@transaction.atomic
def scoring_run_record_clv_fit(*, run: ScoringRun) -> ScoringRun:
    """Copy the fit summary the run's CLV step left in its parameters to ``run.clv_fit``."""
    clv = (run.parameters or {}).get("clv", {})
    run.clv_fit = clv.get("clv_fit", {}) or ({"error": clv["error"]} if "error" in clv else {})
    run.save(update_fields=["clv_fit", "updated_at"])
    return run


def clv_fit_described(fit: dict[str, Any]) -> str:
    """One line for ``tenure score``: the model in use and whether the fit is identified."""
    if not fit:
        return "CLV: no transaction model fitted"
    if "model" not in fit:
        return f"CLV: not fitted ({fit.get('error', 'no reason recorded')})"
    params = ", ".join(
        f"{name} {value:.4g} (SE {error:.2g})" if error is not None else f"{name} {value:.4g}"
        for name, value, error in (
            (name, value, fit.get("standard_errors", {}).get(name))
            for name, value in fit.get("params", {}).items()
        )
    )
    if fit.get("identified"):
        state = "identified"
    else:
        state = "NOT identified: " + "; ".join(fit.get("reasons", []))
    line = f"CLV model: {fit['model']}, {state}; {params}"
    holdout = fit.get("holdout_choice") or {}
    if "chosen" in holdout:
        errors = ", ".join(f"{name} {mae:.3f}" for name, mae in holdout["holdout_mae"].items())
        line += (
            f"\n  tried first: {holdout['chosen']}, the better on a "
            f"{holdout['holdout_weeks']}-week "
            f"holdout of this ledger (mean absolute error per account: {errors})"
        )
    elif "skipped" in holdout:
        line += f"\n  no holdout choice: {holdout['skipped']}"
    if fit.get("fallback"):
        tried = "; ".join(
            f"{name}: {'; '.join(about['reasons'])}"
            for name, about in fit.get("tried", {}).items()
            if name != fit["model"]
        )
        line += (
            f"\n  fallback used because the maximum-likelihood fits are not identified ({tried})"
        )
    return line


@dataclass(frozen=True)
class ClvFitLabel:
    """What a page says next to CLV: the model and whether its fit is identified."""

    text: str
    identified: bool


def clv_fit_label(fit: dict[str, Any]) -> ClvFitLabel | None:
    """``CLV (Pareto/NBD, identified)`` or a warning naming why the fit is not to be trusted.

    A fallback (MAP) fit is identified by construction, but it is used only because the
    maximum-likelihood fits were not, so it is labelled a warning with their reasons.
    ``None`` when the run recorded no fit summary at all (a run from before summaries).
    """
    if not fit:
        return None
    if "model" not in fit:
        return ClvFitLabel(f"CLV not fitted: {fit.get('error', 'no reason recorded')}", False)
    if fit.get("fallback"):
        tried = "; ".join(
            f"{name}: {', '.join(about.get('reasons', [])) or 'not identified'}"
            for name, about in fit.get("tried", {}).items()
            if name != fit["model"]
        )
        return ClvFitLabel(
            f"CLV fit not identified ({tried}); CLV uses the fallback {fit['model']}", False
        )
    if fit.get("identified"):
        return ClvFitLabel(f"CLV ({fit['model']}, identified)", True)
    reasons = "; ".join(fit.get("reasons", [])) or "no reason recorded"
    return ClvFitLabel(f"CLV fit not identified: {fit['model']}, {reasons}", False)
