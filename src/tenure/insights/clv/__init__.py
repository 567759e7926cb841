"""Customer lifetime value for non-contractual buying.

- :func:`rfm_summary` turns transactions into ``frequency``, ``recency``, ``T`` and
  ``monetary_value`` per customer.
- :class:`BetaGeoFitter` (BG/NBD, Fader, Hardie & Lee 2005) predicts how many purchases each
  customer will make and whether they are still active.
- :class:`GammaGammaFitter` (Fader & Hardie 2013) predicts the value of those purchases.
- :func:`account_clv` combines them into discounted CLV per account.

Nothing here imports Django: data come in and go out as Polars frames and NumPy arrays.
See ``docs/clv.md`` for assumptions, validation figures and limits.
"""

from ._mle import ConvergenceWarning
from .bgnbd import BetaGeoFitter
from .gamma_gamma import GammaGammaFitter
from .lifetime_value import account_clv, discounted_value, period_in_time_units
from .rfm import rfm_summary
from .simulation import simulate_bgnbd, simulate_gamma_gamma

__all__ = [
    "BetaGeoFitter",
    "ConvergenceWarning",
    "GammaGammaFitter",
    "account_clv",
    "discounted_value",
    "period_in_time_units",
    "rfm_summary",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
]
