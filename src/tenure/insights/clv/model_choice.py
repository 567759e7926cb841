"""Choose the transaction model for a portfolio: identified fits first, a named fallback last.

Order of preference, each fit checked by :func:`~tenure.insights.clv.identification.diagnose_fit`:

1. BG/NBD by maximum likelihood (Fader, Hardie & Lee 2005);
2. Pareto/NBD by maximum likelihood, where BG/NBD is not identified (it can be when dropout
   shows as long silences rather than right after purchases);
3. BG/NBD by MAP with normal priors (sd 1) on the log-parameters: regularised, always
   finite, and reported as such with the reasons the maximum-likelihood fits failed.

With a calibration/holdout split (:func:`choose_on_holdout`), every identified candidate
predicts the holdout and the one with the smallest per-customer mean absolute error wins.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._inputs import as_float_array, check_purchase_history
from .bgnbd import BetaGeoFitter
from .identification import FitDiagnostics, diagnose_fit
from .pareto_nbd import ParetoNBDFitter

__all__ = ["FALLBACK_PRIOR_SD", "TransactionFit", "choose_on_holdout", "fit_transaction_model"]

#: Prior sd of the fallback's log-parameters: the posterior cannot be looser than the prior,
#: so the fallback always has finite standard errors below 1 on the log scale.
FALLBACK_PRIOR_SD = 1.0

BGNBD = "BG/NBD"
PARETO_NBD = "Pareto/NBD"
BGNBD_MAP = f"BG/NBD MAP (normal priors, sd {FALLBACK_PRIOR_SD:g} on log-parameters)"


@dataclass(frozen=True)
class TransactionFit:
    """The model in use, its diagnostics, and what was tried before it.

    Attributes
    ----------
    name
        ``"BG/NBD"``, ``"Pareto/NBD"`` or the fallback's name.
    model
        The fitted estimator.
    diagnostics
        Identification checks and standard errors of ``model``.
    fallback
        ``True`` when no maximum-likelihood fit was identified and the MAP fit is used.
    candidates
        ``name -> diagnostics`` of every model fitted, in the order tried.
    holdout_mae
        ``name -> per-customer MAE`` on the holdout, when chosen by :func:`choose_on_holdout`.
    """

    name: str
    model: BetaGeoFitter | ParetoNBDFitter
    diagnostics: FitDiagnostics
    fallback: bool
    candidates: dict[str, FitDiagnostics]
    holdout_mae: dict[str, float] | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-ready record: model, parameters, SEs, identified, reasons, what was tried."""
        record: dict[str, Any] = {
            "model": self.name,
            "fallback": self.fallback,
            "log_likelihood": float(self.model.log_likelihood_),
            **self.diagnostics.as_dict(),
            "tried": {
                name: {"identified": d.identified, "reasons": list(d.reasons)}
                for name, d in self.candidates.items()
            },
        }
        if self.holdout_mae is not None:
            record["holdout_mae"] = dict(self.holdout_mae)
        return record


def _fit_candidates(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike, *, penalizer: float
) -> list[tuple[str, BetaGeoFitter | ParetoNBDFitter, FitDiagnostics]]:
    fitted: list[tuple[str, BetaGeoFitter | ParetoNBDFitter, FitDiagnostics]] = []
    # Boundary warnings are what the diagnostics report in words; do not also print them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, estimator in (
            (BGNBD, BetaGeoFitter(penalizer=penalizer)),
            (PARETO_NBD, ParetoNBDFitter()),
        ):
            model = estimator.fit(x, t_x, T)
            fitted.append((name, model, diagnose_fit(model, x, t_x, T)))
    return fitted


def _fallback(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> tuple[BetaGeoFitter, FitDiagnostics]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BetaGeoFitter(prior_sd=FALLBACK_PRIOR_SD).fit(x, t_x, T)
    return model, diagnose_fit(model, x, t_x, T)


def fit_transaction_model(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    penalizer: float = 0.0,
    prefer: str = BGNBD,
) -> TransactionFit:
    """Fit BG/NBD and Pareto/NBD in turn, else the MAP fallback: the first identified wins.

    Parameters
    ----------
    frequency, recency, T
        Each customer's history (see ``BetaGeoFitter.fit``).
    penalizer
        Ridge penalty of the maximum-likelihood BG/NBD fit.
    prefer
        The model tried first (``"BG/NBD"`` or ``"Pareto/NBD"``), e.g. the winner of
        :func:`choose_on_holdout` on the same data.

    Returns
    -------
    TransactionFit
    """
    if prefer not in (BGNBD, PARETO_NBD):
        raise ValueError(f"prefer must be {BGNBD!r} or {PARETO_NBD!r}, got {prefer!r}")
    x, t_x, age = (np.atleast_1d(v) for v in check_purchase_history(frequency, recency, T))
    candidates: dict[str, FitDiagnostics] = {}
    order = (BGNBD, PARETO_NBD) if prefer == BGNBD else (PARETO_NBD, BGNBD)
    for name in order:
        estimator = BetaGeoFitter(penalizer=penalizer) if name == BGNBD else ParetoNBDFitter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = estimator.fit(x, t_x, age)
        candidates[name] = diagnose_fit(fitted, x, t_x, age)
        if candidates[name].identified:
            return TransactionFit(name, fitted, candidates[name], False, candidates)
    model, diagnostics = _fallback(x, t_x, age)
    candidates[BGNBD_MAP] = diagnostics
    return TransactionFit(BGNBD_MAP, model, diagnostics, True, candidates)


def choose_on_holdout(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    holdout_purchases: ArrayLike,
    holdout_length: float,
    *,
    penalizer: float = 0.0,
) -> TransactionFit:
    """Fit both models on the calibration period and keep the one that predicts the holdout best.

    Only identified fits compete; the winner has the smallest mean absolute error of the
    per-customer repeat purchases in the holdout. Without an identified fit the MAP
    fallback is used.

    Parameters
    ----------
    frequency, recency, T
        Calibration-period histories.
    holdout_purchases
        Purchases each customer made in the holdout.
    holdout_length
        Length of the holdout in the histories' time unit.
    penalizer
        Ridge penalty of the maximum-likelihood BG/NBD fit.
    """
    x, t_x, age = (np.atleast_1d(v) for v in check_purchase_history(frequency, recency, T))
    actual = np.atleast_1d(as_float_array(holdout_purchases, "holdout_purchases"))
    if actual.size != x.size:
        raise ValueError(
            f"holdout_purchases has {actual.size} values for {x.size} customers; one each"
        )
    if not holdout_length > 0:
        raise ValueError(f"holdout_length must be > 0, got {holdout_length!r}")
    fitted = _fit_candidates(x, t_x, age, penalizer=penalizer)
    candidates = {name: diagnostics for name, _, diagnostics in fitted}
    errors: dict[str, float] = {}
    for name, model, _ in fitted:
        predicted = model.conditional_expected_number_of_purchases_up_to_time(
            holdout_length, x, t_x, age
        )
        errors[name] = float(np.mean(np.abs(predicted - actual)))
    identified = [(errors[name], name, model) for name, model, d in fitted if d.identified]
    if identified:
        _, name, model = min(identified, key=lambda item: item[0])
        return TransactionFit(name, model, candidates[name], False, candidates, errors)
    model_map, diagnostics = _fallback(x, t_x, age)
    candidates[BGNBD_MAP] = diagnostics
    predicted = model_map.conditional_expected_number_of_purchases_up_to_time(
        holdout_length, x, t_x, age
    )
    errors[BGNBD_MAP] = float(np.mean(np.abs(predicted - actual)))
    return TransactionFit(BGNBD_MAP, model_map, diagnostics, True, candidates, errors)
