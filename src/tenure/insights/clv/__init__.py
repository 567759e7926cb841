"""Customer lifetime value for non-contractual buying.

- :func:`rfm_summary` turns transactions into ``frequency``, ``recency``, ``T`` and
  ``monetary_value`` per customer.
- :class:`BetaGeoFitter` (BG/NBD, Fader, Hardie & Lee 2005) predicts how many purchases each
  customer will make and whether they are still active.
- :class:`GammaGammaFitter` (Fader & Hardie 2013) predicts the value of those purchases.
- :class:`ParetoNBDFitter` (Schmittlein, Morrison & Colombo 1987) is the second
  transaction model, with the same API.
- :func:`diagnose_fit` says whether a fit is identified and gives standard errors;
  :func:`fit_transaction_model` / :func:`choose_on_holdout` pick an identified model or a
  named fallback; :func:`prediction_intervals` bootstraps per-customer intervals.
- :func:`holdout_report` checks predictions against a holdout period and a naive baseline.
- :func:`account_clv` combines them into discounted CLV per account.

Nothing here imports Django: data come in and go out as Polars frames and NumPy arrays.
See ``docs/clv.md`` for assumptions, validation figures and limits.
"""

from ._mle import ConvergenceWarning
from .bgnbd import BetaGeoFitter
from .gamma_gamma import GammaGammaFitter
from .identification import FitDiagnostics, ParameterUncertainty, diagnose_fit
from .intervals import prediction_intervals
from .lifetime_value import account_clv, discounted_value, period_in_time_units
from .model_choice import TransactionFit, choose_on_holdout, fit_transaction_model
from .pareto_nbd import ParetoNBDFitter
from .rfm import rfm_summary
from .simulation import simulate_bgnbd, simulate_gamma_gamma

__all__ = [
    "BetaGeoFitter",
    "ConvergenceWarning",
    "FitDiagnostics",
    "GammaGammaFitter",
    "ParameterUncertainty",
    "ParetoNBDFitter",
    "TransactionFit",
    "account_clv",
    "choose_on_holdout",
    "diagnose_fit",
    "discounted_value",
    "fit_transaction_model",
    "period_in_time_units",
    "prediction_intervals",
    "rfm_summary",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
]
