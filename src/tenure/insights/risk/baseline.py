"""A linear baseline for the churn model: logistic regression on the same features.

The boosted trees have to beat something a reviewer would fit first. :class:`LogisticBaseline`
is that: scikit-learn's ``LogisticRegression`` (L2, ``C=1``) on the risk model's own
columns, each passed through ``sign(x) log(1 + |x|)`` (counts and day spans are heavy-tailed;
the transform is monotone, so nothing is lost for ranking), clipped to the range seen in
training, missing values replaced by the training median with an indicator column per
feature that had any, and standardised. The clipping matters out of time: a customer's age
or order count at a later cut-off lies beyond every training value, and a linear model
extrapolates it into certainty where trees level off.
It is trained on exactly the rows the trees are trained on, so the two are compared
out of time on the same cut-offs.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from .features import RISK_FEATURES

__all__ = ["LogisticBaseline"]

FloatArray = NDArray[np.float64]


def _signed_log(x: FloatArray) -> FloatArray:
    return np.asarray(np.sign(x) * np.log1p(np.abs(x)), dtype=np.float64)


class LogisticBaseline:
    """L2 logistic regression on the churn features, with missing values handled.

    Parameters
    ----------
    features
        Columns read from the frames given to :meth:`fit` and :meth:`predict_proba`.
    C
        Inverse regularisation strength (scikit-learn's ``C``).
    max_iter
        Iterations of the LBFGS solver.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        Imputer (median, with missing indicators), scaler and the fitted regression.
    coef_ : numpy.ndarray
        The regression's coefficients on the standardised inputs (and indicators).
    """

    def __init__(
        self, *, features: tuple[str, ...] = RISK_FEATURES, C: float = 1.0, max_iter: int = 2000
    ) -> None:
        self.features = features
        self.C = C
        self.max_iter = max_iter

    def _matrix(self, X: pl.DataFrame) -> FloatArray:
        missing = [c for c in self.features if c not in X.columns]
        if missing:
            raise ValueError(f"LogisticBaseline: missing feature column(s) {', '.join(missing)}")
        matrix = X.select(pl.col(c).cast(pl.Float64) for c in self.features).to_numpy()
        return _signed_log(np.asarray(matrix, dtype=np.float64))

    def fit(self, X: pl.DataFrame, y: ArrayLike) -> Self:
        """Fit on a feature frame and 0/1 outcomes; returns ``self``."""
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        matrix = self._matrix(X)
        labels = np.asarray(y, dtype=np.float64).ravel()
        if labels.shape[0] != matrix.shape[0]:
            raise ValueError("X and y differ in length")
        if not np.isin(labels, (0.0, 1.0)).all() or labels.min() == labels.max():
            raise ValueError("y must hold 0 and 1, both present")
        # A column never observed in training carries nothing; the imputer would drop it
        # and shift the columns, so it is filled with zeros instead.
        self.empty_ = np.isnan(matrix).all(axis=0)
        matrix[:, self.empty_] = 0.0
        self.low_ = np.nanmin(matrix, axis=0)
        self.high_ = np.nanmax(matrix, axis=0)
        self.pipeline_ = make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True),
            StandardScaler(),
            LogisticRegression(C=self.C, max_iter=self.max_iter),
        )
        self.pipeline_.fit(matrix, labels.astype(np.int8))
        self.coef_ = np.asarray(self.pipeline_[-1].coef_[0], dtype=np.float64)
        return self

    def predict_proba(self, X: pl.DataFrame) -> FloatArray:
        """Probability of churn, one per row."""
        if not hasattr(self, "pipeline_"):
            raise AttributeError("this LogisticBaseline is not fitted yet; call fit() first")
        if X.height == 0:
            return np.zeros(0)
        matrix = self._matrix(X)
        matrix[:, self.empty_] = 0.0
        matrix = np.clip(matrix, self.low_, self.high_)  # NaN stays NaN for the imputer
        return np.asarray(self.pipeline_.predict_proba(matrix)[:, 1], dtype=np.float64)

    def get_params(self, deep: bool = True) -> dict[str, Any]:  # noqa: ARG002 (sklearn's signature)
        """Return the constructor parameters (scikit-learn's estimator protocol)."""
        return {"features": self.features, "C": self.C, "max_iter": self.max_iter}
