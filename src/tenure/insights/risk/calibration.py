"""Turning a classifier's raw scores into probabilities that mean what they say.

Boosted trees rank well but their raw probabilities drift from observed rates, especially
when the training rows overlap in time. A calibrator is fitted on a held-out fold — rows the
trees never saw — and maps each raw log-odds score to a probability.

* :class:`PlattCalibrator` — a logistic curve ``1 / (1 + exp(-(a s + b)))`` on the score
  (Platt 1999), fitted by Newton's method with Platt's target smoothing. Two parameters:
  steady on small folds.
* :class:`IsotonicCalibrator` — the best non-decreasing step function (pool adjacent
  violators), interpolated linearly between steps. Needs more positives than Platt.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["IsotonicCalibrator", "PlattCalibrator", "calibrator_from_dict"]

FloatArray = NDArray[np.float64]


def _pair(score: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    s = np.asarray(score, dtype=np.float64).ravel()
    t = np.asarray(y, dtype=np.float64).ravel()
    if s.shape != t.shape or s.size == 0:
        raise ValueError("score and y must be non-empty and of equal length")
    if not np.isin(t, (0.0, 1.0)).all():
        raise ValueError("y must hold only 0 and 1")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite")
    return s, t


class PlattCalibrator:
    """Logistic calibration of a score (Platt scaling).

    Attributes
    ----------
    a_, b_ : float
        Slope and intercept: ``p = 1 / (1 + exp(-(a_ * score + b_)))``.
    """

    def __init__(self, max_iter: int = 100, tol: float = 1e-10) -> None:
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, score: ArrayLike, y: ArrayLike) -> Self:
        """Fit on held-out scores and outcomes; returns ``self``."""
        s, t = _pair(score, y)
        positives, negatives = t.sum(), t.size - t.sum()
        # Platt's smoothed targets keep the fit finite when the classes separate.
        target = np.where(t == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

        def loss(a: float, b: float) -> float:
            z = a * s + b
            return float(np.sum(np.logaddexp(0.0, z) - target * z))

        # Imported here: Django loads this module (the health services), and SciPy's special
        # functions cost every `tenure` command 0.16 s to import.
        from scipy import special

        a, b = 0.0, float(np.log((positives + 1) / (negatives + 1)))
        current = loss(a, b)
        for _ in range(self.max_iter):
            p = special.expit(a * s + b)
            w = p * (1 - p) + 1e-12
            residual = p - target
            gradient = np.array([residual @ s, residual.sum()])
            hessian = np.array([[w @ (s * s), w @ s], [w @ s, w.sum()]]) + 1e-9 * np.eye(2)
            step = np.linalg.solve(hessian, gradient)
            # Newton's step, halved until the loss does not rise (it always converges).
            scale = 1.0
            while scale > 1e-8:
                na, nb = a - scale * float(step[0]), b - scale * float(step[1])
                candidate = loss(na, nb)
                if candidate <= current:
                    break
                scale /= 2
            else:
                break
            moved = max(abs(na - a), abs(nb - b))
            a, b, current = na, nb, candidate
            if moved < self.tol:
                break
        self.a_, self.b_ = a, b
        return self

    def predict(self, score: ArrayLike) -> FloatArray:
        """Calibrated probability for each score."""
        from scipy import special

        s = np.asarray(score, dtype=np.float64)
        return np.asarray(special.expit(self.a_ * s + self.b_), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """Return the fitted calibrator as plain data for :func:`calibrator_from_dict`."""
        return {"kind": "platt", "a": self.a_, "b": self.b_}


class IsotonicCalibrator:
    """Non-decreasing step calibration fitted by pool adjacent violators.

    Attributes
    ----------
    x_, y_ : numpy.ndarray
        Knots: each block's lowest and highest score with the block's observed rate;
        predictions interpolate linearly between knots and stay flat beyond them.
    """

    def fit(self, score: ArrayLike, y: ArrayLike) -> Self:
        """Fit on held-out scores and outcomes; returns ``self``."""
        s, t = _pair(score, y)
        order = np.argsort(s, kind="mergesort")
        s, t = s[order], t[order]
        # Equal scores must share one value: start from one block per distinct score.
        starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        sums = np.add.reduceat(t, starts)
        weights = np.diff(np.r_[starts, s.size]).astype(np.float64)
        values: list[float] = []
        counts: list[float] = []
        lows: list[float] = []
        highs: list[float] = []
        for total, weight, x in zip(sums, weights, s[starts], strict=True):
            values.append(float(total / weight))
            counts.append(float(weight))
            lows.append(float(x))
            highs.append(float(x))
            while len(values) > 1 and values[-2] > values[-1]:
                pooled = counts[-2] + counts[-1]
                values[-2] = (values[-2] * counts[-2] + values[-1] * counts[-1]) / pooled
                counts[-2], highs[-2] = pooled, highs[-1]
                del values[-1], counts[-1], lows[-1], highs[-1]
        # Each block is flat from its lowest to its highest score; interpolation runs
        # between blocks (scikit-learn's IsotonicRegression does the same).
        knots_x = np.column_stack([lows, highs]).ravel()
        knots_y = np.repeat(values, 2)
        keep = np.r_[True, knots_x[1:] != knots_x[:-1]]
        self.x_ = knots_x[keep]
        self.y_ = knots_y[keep]
        return self

    def predict(self, score: ArrayLike) -> FloatArray:
        """Calibrated probability for each score."""
        s = np.asarray(score, dtype=np.float64)
        return np.asarray(np.interp(s, self.x_, self.y_), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """Return the fitted calibrator as plain data for :func:`calibrator_from_dict`."""
        return {"kind": "isotonic", "x": self.x_.tolist(), "y": self.y_.tolist()}


def calibrator_from_dict(data: dict[str, Any]) -> PlattCalibrator | IsotonicCalibrator:
    """Rebuild a fitted calibrator from its ``to_dict()``."""
    if data.get("kind") == "platt":
        platt = PlattCalibrator()
        platt.a_, platt.b_ = float(data["a"]), float(data["b"])
        return platt
    if data.get("kind") == "isotonic":
        iso = IsotonicCalibrator()
        iso.x_ = np.asarray(data["x"], dtype=np.float64)
        iso.y_ = np.asarray(data["y"], dtype=np.float64)
        return iso
    raise ValueError(f"unknown calibrator kind {data.get('kind')!r}")
