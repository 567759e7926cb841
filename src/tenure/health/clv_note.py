"""What is said next to an account's CLV and probability alive about the fit behind them.

A scoring run keeps its CLV fit summary on ``ScoringRun.clv_fit`` (model, identified,
reasons, fallback, what else was tried). When the run had to fall back to the regularised
(MAP) fit, or used a fit the data do not identify, every place that shows an account's CLV
or probability alive says so: the account page and the API read this one function.
"""

from __future__ import annotations

from typing import Any

__all__ = ["clv_fit_note"]


def clv_fit_note(fit: dict[str, Any] | None) -> str | None:
    """One sentence on a fit that is not to be taken at face value; ``None`` for an identified one.

    >>> clv_fit_note({"model": "BG/NBD", "identified": True, "fallback": False}) is None
    True
    """
    if not fit or "model" not in fit:
        return None
    model = str(fit["model"])
    if fit.get("fallback"):
        tried = {
            name: list(about.get("reasons", []))
            for name, about in fit.get("tried", {}).items()
            if name != model
        }
        reasons = [reason for found in tried.values() for reason in found]
        what = (
            "dropout"
            if any("no-dropout" in reason for reason in reasons)
            else "the maximum-likelihood models"
        )
        detail = "; ".join(
            f"{name}: {', '.join(found) or 'not identified'}" for name, found in tried.items()
        )
        return f"estimated with a regularised fit ({model}): the data do not identify {what}" + (
            f" ({detail})" if detail else ""
        )
    if fit.get("identified", True):
        return None
    said = "; ".join(fit.get("reasons", [])) or "no reason recorded"
    return f"estimated with a {model} fit the data do not identify ({said})"
