"""The churn-risk model: gradient-boosted trees, calibrated, explained per account.

:class:`ChurnRiskModel` fits a LightGBM binary classifier on point-in-time features
(:mod:`tenure.insights.risk.features`) and churn labels
(:func:`tenure.insights.risk.churn_labels`). The most recent cut-offs are held out and used
only to calibrate the trees' scores into probabilities, so a "30 %" means that about 30 in
100 such accounts churned in the past. Each prediction is explained by the trees' exact
per-feature contributions to the log-odds (``pred_contrib``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Self

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from .calibration import IsotonicCalibrator, PlattCalibrator, calibrator_from_dict
from .drivers import CONTEXT_FEATURES, describe
from .features import RISK_FEATURES

__all__ = ["ChurnRiskModel", "Driver"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Driver:
    """One reason behind an account's risk: a feature, its value, its push, in words."""

    feature: str
    value: float | None
    contribution: float
    text: str

    def as_dict(self) -> dict[str, Any]:
        """Return the driver as plain data (for JSON), the contribution rounded."""
        return {
            "feature": self.feature,
            "value": self.value,
            "contribution": round(self.contribution, 4),
            "text": self.text,
        }


class ChurnRiskModel:
    """LightGBM churn classifier with a held-out calibration fold.

    Parameters
    ----------
    features
        Columns read from the frame passed to :meth:`fit` and :meth:`predict_proba`.
    n_estimators, learning_rate, num_leaves, min_child_samples, feature_fraction,
    bagging_fraction, reg_lambda
        LightGBM settings: small trees (7 leaves) with shrinkage and subsampling. Small trees
        backtested as well as larger ones on the demo portfolio and make the exact
        per-account explanations (TreeSHAP, whose cost grows with leaves and depth) about
        ten times cheaper.
    calibration
        ``"platt"`` (logistic, steady on small folds) or ``"isotonic"``.
    calibration_share
        Share of rows held out for calibration: the latest cut-offs when ``groups`` are
        given to :meth:`fit`, a seeded random share otherwise.
    seed
        Seeds LightGBM's subsampling and the random split; with ``deterministic`` training
        and a fixed thread count the fitted model is reproducible.
    num_threads
        LightGBM threads; 0 uses OpenMP's default.

    Attributes
    ----------
    booster_ : lightgbm.Booster
        The fitted trees.
    calibrator_ : PlattCalibrator or IsotonicCalibrator
        Maps the trees' log-odds to probabilities.
    features_ : tuple of str
        Feature order used by the booster.
    n_train_, n_calibration_ : int
        Rows used to grow the trees and to calibrate them.
    base_rate_ : float
        Churn rate among all training rows.
    """

    def __init__(
        self,
        *,
        features: tuple[str, ...] = RISK_FEATURES,
        n_estimators: int = 150,
        learning_rate: float = 0.05,
        num_leaves: int = 7,
        min_child_samples: int = 40,
        feature_fraction: float = 0.8,
        bagging_fraction: float = 0.8,
        reg_lambda: float = 1.0,
        calibration: Literal["platt", "isotonic"] = "platt",
        calibration_share: float = 0.25,
        seed: int = 7,
        num_threads: int = 0,
    ) -> None:
        self.features = features
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.feature_fraction = feature_fraction
        self.bagging_fraction = bagging_fraction
        self.reg_lambda = reg_lambda
        self.calibration = calibration
        self.calibration_share = calibration_share
        self.seed = seed
        self.num_threads = num_threads

    def _params(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": self.reg_lambda,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.num_threads,
            "verbosity": -1,
        }

    def _matrix(self, X: pl.DataFrame) -> FloatArray:
        features = getattr(self, "features_", self.features)
        missing = [c for c in features if c not in X.columns]
        if missing:
            raise ValueError(f"ChurnRiskModel: missing feature column(s) {', '.join(missing)}")
        return X.select(pl.col(c).cast(pl.Float64) for c in features).to_numpy()

    def _holdout(self, n: int, groups: ArrayLike | None) -> NDArray[np.bool_]:
        """Rows kept back for calibration: the latest groups, or a seeded random share."""
        if not 0 < self.calibration_share < 1:
            raise ValueError("calibration_share must lie in (0, 1)")
        if groups is None:
            rng = np.random.default_rng(self.seed)
            return np.asarray(rng.random(n) < self.calibration_share)
        keys = np.asarray(groups)
        if keys.shape != (n,):
            raise ValueError("groups must have one value per row")
        distinct, counts = np.unique(keys, return_counts=True)
        if distinct.size < 2:
            rng = np.random.default_rng(self.seed)
            return np.asarray(rng.random(n) < self.calibration_share)
        # Walk back from the latest group until the share is reached, keeping one for training.
        cumulative = np.cumsum(counts[::-1])
        taken = int(np.searchsorted(cumulative, self.calibration_share * n) + 1)
        taken = min(taken, distinct.size - 1)
        return np.isin(keys, distinct[-taken:])

    def fit(self, X: pl.DataFrame, y: ArrayLike, *, groups: ArrayLike | None = None) -> Self:
        """Grow the trees on the earlier rows and calibrate them on the held-out ones.

        Parameters
        ----------
        X
            Feature frame with every column of ``features``.
        y
            1 (churned within the horizon) or 0, one per row.
        groups
            The cut-off of each row (any sortable value). The latest cut-offs, about
            ``calibration_share`` of the rows, form the calibration fold, so calibration is
            measured the way the model is used: on a later period than it learnt from.

        Returns
        -------
        ChurnRiskModel
            ``self``, fitted.
        """
        import lightgbm as lgb

        matrix = self._matrix(X)
        labels = np.asarray(y, dtype=np.float64).ravel()
        if labels.shape[0] != matrix.shape[0]:
            raise ValueError("X and y differ in length")
        if not np.isin(labels, (0.0, 1.0)).all():
            raise ValueError("y must hold only 0 and 1")
        held = self._holdout(labels.size, groups)
        train, calibrate = ~held, held
        for name, part in (("training", train), ("calibration", calibrate)):
            if labels[part].min(initial=1) == labels[part].max(initial=0):
                raise ValueError(f"the {name} rows need both churned and retained accounts")
        data = lgb.Dataset(
            matrix[train], labels[train], feature_name=list(self.features), free_raw_data=True
        )
        self.booster_ = lgb.train(self._params(), data, num_boost_round=self.n_estimators)
        self.features_ = tuple(self.features)
        raw = self.booster_.predict(matrix[calibrate], raw_score=True)
        calibrator = PlattCalibrator() if self.calibration == "platt" else IsotonicCalibrator()
        self.calibrator_ = calibrator.fit(raw, labels[calibrate])
        self.n_train_ = int(train.sum())
        self.n_calibration_ = int(calibrate.sum())
        self.base_rate_ = float(labels.mean())
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "booster_"):
            raise AttributeError("this ChurnRiskModel is not fitted yet; call fit() first")

    def predict_raw(self, X: pl.DataFrame) -> FloatArray:
        """Return the trees' log-odds, before calibration."""
        self._fitted()
        if X.height == 0:
            return np.zeros(0)
        return np.asarray(self.booster_.predict(self._matrix(X), raw_score=True), np.float64)

    def predict_proba(self, X: pl.DataFrame) -> FloatArray:
        """Calibrated probability of churn within the horizon, one per row."""
        return self.calibrator_.predict(self.predict_raw(X))

    def contributions(self, X: pl.DataFrame) -> FloatArray:
        """Per-feature contributions to each row's log-odds; the last column is the bias.

        Rows sum to :meth:`predict_raw` (TreeSHAP values of the booster).
        """
        self._fitted()
        if X.height == 0:
            return np.zeros((0, len(self.features_) + 1))
        return np.asarray(self.booster_.predict(self._matrix(X), pred_contrib=True), np.float64)

    def drivers(
        self,
        X: pl.DataFrame,
        *,
        top: int = 3,
        min_contribution: float = 0.05,
        exclude: frozenset[str] = CONTEXT_FEATURES,
    ) -> list[list[Driver]]:
        """List the features pushing each account's risk up the most, in plain words.

        Parameters
        ----------
        X
            Feature frame.
        top
            At most this many drivers per account.
        min_contribution
            Smallest push on the log-odds worth naming.
        exclude
            Features never named (by default the context ones: size, age, rhythm).
        """
        contributions = self.contributions(X)[:, :-1].copy()
        skipped = [j for j, name in enumerate(self.features_) if name in exclude]
        contributions[:, skipped] = -np.inf
        values = self._matrix(X)
        result: list[list[Driver]] = []
        for row_contrib, row_values in zip(contributions, values, strict=True):
            order = np.argsort(-row_contrib, kind="mergesort")[:top]
            drivers = []
            for j in order:
                push = float(row_contrib[j])
                if push < min_contribution:
                    break
                raw = float(row_values[j])
                value = None if np.isnan(raw) else raw
                name = self.features_[j]
                drivers.append(Driver(name, value, push, describe(name, value)))
            result.append(drivers)
        return result

    def to_dict(self) -> dict[str, Any]:
        """Everything needed to predict again: trees (LightGBM text), calibrator, settings."""
        self._fitted()
        return {
            "format": "tenure-churn-risk-1",
            "features": list(self.features_),
            "booster": self.booster_.model_to_string(),
            "calibrator": self.calibrator_.to_dict(),
            "n_train": self.n_train_,
            "n_calibration": self.n_calibration_,
            "base_rate": self.base_rate_,
            "params": self._params() | {"n_estimators": self.n_estimators},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChurnRiskModel:
        """Rebuild a fitted model saved with :meth:`to_dict`."""
        import lightgbm as lgb

        if data.get("format") != "tenure-churn-risk-1":
            raise ValueError("not a saved Tenure churn-risk model")
        model = cls(features=tuple(data["features"]))
        model.booster_ = lgb.Booster(model_str=data["booster"])
        model.calibrator_ = calibrator_from_dict(data["calibrator"])
        model.features_ = tuple(data["features"])
        model.n_train_ = int(data["n_train"])
        model.n_calibration_ = int(data["n_calibration"])
        model.base_rate_ = float(data["base_rate"])
        return model
