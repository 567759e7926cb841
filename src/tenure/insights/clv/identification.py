"""Identification checks and standard errors of a fitted transaction model.

Is the fit identified by the data, and how sure are its parameters?

A maximum-likelihood fit always returns numbers. On data without visible dropout, BG/NBD
runs to ``a -> 0`` (nobody ever leaves) and Pareto/NBD to ``s -> 0``; the optimiser
"converges" at a boundary where the likelihood is flat, and every probability alive and CLV
built on it is an artefact. :func:`diagnose_fit` looks at the curvature of the
log-likelihood at the estimate (a numerical Hessian on the log-parameters), the distance to
the boundaries and the number of repeat buyers, and says whether the fit can be trusted and
why not. The same Hessian gives the standard errors (the inverse of the observed
information, by the delta method on the natural scale).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike

from ._inputs import FloatArray, check_purchase_history

__all__ = [
    "FitDiagnostics",
    "FittedTransactionModel",
    "ParameterUncertainty",
    "diagnose_fit",
    "log_hessian",
]

#: Fewer customers with a repeat purchase than this cannot tell dropout from slow buying.
MIN_REPEAT_BUYERS = 30
#: A log-parameter with a standard error above this is not pinned down by the data: its
#: 95 % interval spans more than a factor e^4 (about 55).
MAX_LOG_SE = 1.0
#: Largest acceptable ratio of the largest to the smallest curvature of the log-likelihood.
MAX_CONDITION = 1e8
#: Boundaries of the log-parameters used by the optimisers.
LOG_BOUND = 30.0
#: Below this mean dropout probability after a purchase (BG/NBD) or shape of the dropout
#: rates (Pareto/NBD) the fit sits at the "nobody leaves" boundary.
NO_DROPOUT = 1e-3


class FittedTransactionModel(Protocol):
    """What the diagnostics need from ``BetaGeoFitter`` or ``ParetoNBDFitter``."""

    param_names: tuple[str, ...]

    @property
    def params_(self) -> FloatArray:
        """Fitted parameters in ``param_names`` order."""
        ...

    def _log_density(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Callable[[FloatArray], float]: ...


@dataclass(frozen=True)
class ParameterUncertainty:
    """Sampling distribution of the estimates, normal on the log-parameters.

    Attributes
    ----------
    names
        Parameter names.
    estimates
        Point estimates (natural scale).
    log_covariance
        Covariance of the log-parameters: the inverse of minus the Hessian of the
        log-likelihood (log-posterior for a MAP fit) at the estimate. NaN when the Hessian is
        not negative definite.
    """

    names: tuple[str, ...]
    estimates: FloatArray
    log_covariance: FloatArray

    @property
    def log_standard_errors(self) -> FloatArray:
        """Standard errors of the log-parameters (relative standard errors)."""
        return np.sqrt(np.diag(self.log_covariance))

    @property
    def standard_errors(self) -> FloatArray:
        """Standard errors on the natural scale (delta method: estimate x SE of its log)."""
        return np.asarray(self.estimates * self.log_standard_errors, dtype=np.float64)

    def principal_axes(self) -> FloatArray:
        """Columns ``sqrt(lambda_j) v_j`` of the covariance's eigen-decomposition, shape ``(k, k)``.

        ``log-estimates + axes @ z`` with ``z`` standard normal is a draw from the sampling
        distribution; each column is one standard deviation along a principal axis.

        Raises
        ------
        ValueError
            When the covariance is not usable (the fit is not identified).
        """
        self._check_usable()
        values, vectors = np.linalg.eigh((self.log_covariance + self.log_covariance.T) / 2.0)
        return np.asarray(vectors * np.sqrt(np.clip(values, 0.0, None)), dtype=np.float64)

    def _check_usable(self) -> None:
        if not np.all(np.isfinite(self.log_covariance)):
            raise ValueError(
                "no sampling distribution: the log-likelihood is not curved at the estimate "
                "(the fit is not identified)"
            )

    def draws(self, n: int, rng: np.random.Generator) -> FloatArray:
        """``n`` parameter vectors from the sampling distribution, shape ``(n, k)``.

        Raises
        ------
        ValueError
            When the covariance is not usable (the fit is not identified).
        """
        self._check_usable()
        log_draws = rng.multivariate_normal(
            np.log(self.estimates), self.log_covariance, size=n, method="eigh"
        )
        return np.asarray(np.exp(log_draws), dtype=np.float64)


@dataclass(frozen=True)
class FitDiagnostics:
    """Whether a fit is identified, and the evidence.

    Attributes
    ----------
    identified
        ``True`` when none of the checks failed.
    reasons
        One sentence per failed check, for people to read.
    repeat_buyers
        Customers with at least one repeat purchase.
    condition_number
        Ratio of the largest to the smallest eigenvalue of minus the log-Hessian (``inf`` if
        it is not positive definite).
    uncertainty
        Standard errors and the sampling distribution of the parameters.
    """

    identified: bool
    reasons: tuple[str, ...]
    repeat_buyers: int
    condition_number: float
    uncertainty: ParameterUncertainty
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (what a scoring run stores)."""
        names = self.uncertainty.names
        return {
            "identified": self.identified,
            "reasons": list(self.reasons),
            "repeat_buyers": self.repeat_buyers,
            "condition_number": _finite_or_none(self.condition_number),
            "params": {n: float(v) for n, v in zip(names, self.uncertainty.estimates, strict=True)},
            "standard_errors": {
                n: _finite_or_none(float(v))
                for n, v in zip(names, self.uncertainty.standard_errors, strict=True)
            },
            **{k: _finite_or_none(v) for k, v in self.extra.items()},
        }


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def log_hessian(
    function: Callable[[FloatArray], float], point: FloatArray, step: float = 1e-3
) -> FloatArray:
    """Central-difference Hessian of ``function`` at ``point`` (log-parameters).

    On the log scale one step size suits every parameter whatever its magnitude; at
    ``1e-3`` the truncation error (order ``step**2``) and the rounding error (order
    ``1e-16 * |f| / step**2``) both stay far below the curvature of a likelihood summed over
    customers.
    """
    k = point.size
    centre = function(point)
    hessian = np.empty((k, k))
    unit = np.eye(k) * step
    for i in range(k):
        up, down = function(point + unit[i]), function(point - unit[i])
        hessian[i, i] = (up - 2.0 * centre + down) / step**2
        for j in range(i):
            value = (
                function(point + unit[i] + unit[j])
                - function(point + unit[i] - unit[j])
                - function(point - unit[i] + unit[j])
                + function(point - unit[i] - unit[j])
            ) / (4.0 * step**2)
            hessian[i, j] = hessian[j, i] = value
    return hessian


def diagnose_fit(
    model: FittedTransactionModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    min_repeat_buyers: int = MIN_REPEAT_BUYERS,
) -> FitDiagnostics:
    """Check that a fitted BG/NBD or Pareto/NBD model is identified by its data.

    Checks, each adding a reason when it fails:

    - at least ``min_repeat_buyers`` customers with a repeat purchase;
    - no log-parameter at the optimiser's bound;
    - the model is not at its no-dropout boundary (BG/NBD: mean dropout probability
      ``a / (a + b)`` below 0.1 %; Pareto/NBD: ``s`` below 0.001);
    - minus the Hessian of the log-likelihood on the log-parameters is positive definite,
      with a condition number below ``1e8``;
    - every log-parameter has a standard error below 1.

    Parameters
    ----------
    model
        A fitted ``BetaGeoFitter`` or ``ParetoNBDFitter``.
    frequency, recency, T
        The histories it was fitted on.
    min_repeat_buyers
        Threshold of the first check.

    Returns
    -------
    FitDiagnostics
    """
    x, _, _ = check_purchase_history(frequency, recency, T)
    names = tuple(model.param_names)
    estimates = np.asarray(model.params_, dtype=np.float64)
    log_estimates = np.log(estimates)
    reasons: list[str] = []
    extra: dict[str, float] = {}

    repeat_buyers = int(np.count_nonzero(np.atleast_1d(x) > 0))
    if repeat_buyers < min_repeat_buyers:
        reasons.append(
            f"only {repeat_buyers} customers with a repeat purchase (at least "
            f"{min_repeat_buyers} needed to tell dropout from slow buying)"
        )
    for name, value in zip(names, log_estimates, strict=True):
        if abs(value) >= LOG_BOUND - 1e-6:
            reasons.append(f"{name} ran to the edge of its range ({np.exp(value):.3g})")
    if names == ("r", "alpha", "a", "b"):
        a, b = estimates[2], estimates[3]
        mean_dropout = a / (a + b)
        extra["mean_dropout_probability"] = float(mean_dropout)
        if mean_dropout < NO_DROPOUT:
            reasons.append(
                f"no-dropout boundary: mean dropout probability after a purchase "
                f"a/(a+b) = {mean_dropout:.2%} (a = {a:.3g}, b = {b:.3g})"
            )
    elif names == ("r", "alpha", "s", "beta") and estimates[2] < NO_DROPOUT:
        reasons.append(f"no-dropout boundary: dropout-rate shape s = {estimates[2]:.3g}")

    density = model._log_density(frequency, recency, T)
    with np.errstate(all="ignore"):
        information = -log_hessian(density, log_estimates)
    covariance = np.full((len(names), len(names)), np.nan)
    condition = np.inf
    if np.all(np.isfinite(information)):
        eigenvalues = np.linalg.eigvalsh((information + information.T) / 2.0)
        if eigenvalues[0] > 0:
            condition = float(eigenvalues[-1] / eigenvalues[0])
            covariance = np.linalg.inv(information)
    if not np.isfinite(condition):
        reasons.append(
            "the log-likelihood is flat or not at a maximum in some direction (minus its "
            "Hessian is not positive definite)"
        )
    elif condition > MAX_CONDITION:
        reasons.append(f"the log-likelihood is ill-conditioned (condition number {condition:.2g})")
    uncertainty = ParameterUncertainty(names, estimates, covariance)
    if np.all(np.isfinite(covariance)):
        loose = [
            f"{name} (standard error of its log {se:.2g})"
            for name, se in zip(names, uncertainty.log_standard_errors, strict=True)
            if se > MAX_LOG_SE
        ]
        if loose:
            reasons.append("not pinned down by the data: " + ", ".join(loose))
    return FitDiagnostics(
        identified=not reasons,
        reasons=tuple(reasons),
        repeat_buyers=repeat_buyers,
        condition_number=condition,
        uncertainty=uncertainty,
        extra=extra,
    )
