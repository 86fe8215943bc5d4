"""Closed-form REML profile of a random-intercept linear mixed model (starting values).

For ``y = X b + u[group] + e`` with ``u ~ N(0, g s2)`` and ``e ~ N(0, s2)``, each group's
covariance is ``s2 (I + g J)``, whose inverse and determinant have closed forms. With the
fixed effects and ``s2`` profiled out, the restricted log-likelihood is a function of the
variance ratio ``g`` alone, computed from group sums in a few matrix products, whatever the
number of groups. :func:`reml_variance_ratio` maximises it; the cohort models hand the
result to statsmodels ``MixedLM`` as its starting value (statsmodels' own default start is
``g = 1``), so statsmodels still does the fit and the inference but starts at the optimum
instead of spending a handful of Python-loop likelihood evaluations to find it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import minimize_scalar

#: Search interval of ``log(g)``: the optimum is clamped to ``[e**-20, e**12]``.
LOG_RATIO_BOUNDS = (-20.0, 12.0)


def reml_variance_ratio(
    exog: npt.ArrayLike, endog: npt.ArrayLike, groups: npt.ArrayLike
) -> float:
    """REML estimate of the random-intercept variance over the residual variance.

    Parameters
    ----------
    exog : array_like, shape (n, p)
        Fixed-effects design matrix (full column rank).
    endog : array_like, shape (n,)
        Outcome.
    groups : array_like, shape (n,)
        Group label of each row (any hashable values).

    Returns
    -------
    float
        The variance ratio ``g`` maximising the restricted likelihood (within
        ``LOG_RATIO_BOUNDS`` on the log scale).

    Raises
    ------
    ValueError
        When the shapes disagree or there are no more rows than fixed effects.
    """
    x = np.asarray(exog, dtype=float)
    y = np.asarray(endog, dtype=float)
    n_obs, p = x.shape
    if y.shape != (n_obs,) or len(np.asarray(groups)) != n_obs:
        raise ValueError("exog, endog and groups must have the same number of rows")
    if n_obs <= p:
        raise ValueError("need more observations than fixed effects")
    codes, labels = _codes(groups)
    z = sparse.csr_matrix((np.ones(n_obs), (codes, np.arange(n_obs))),
                          shape=(len(labels), n_obs))
    sizes = np.asarray(z.sum(axis=1)).ravel()
    s = np.asarray(z @ x)              # group sums of each column of X
    t = np.asarray(z @ y).ravel()      # group sums of y
    xtx, xty, yty = x.T @ x, x.T @ y, float(y @ y)

    def objective(log_ratio: float) -> float:
        # -2 x restricted log-likelihood, up to a constant
        ratio = np.exp(log_ratio)
        c = ratio / (1.0 + sizes * ratio)
        a = xtx - s.T @ (c[:, None] * s)
        b = xty - s.T @ (c * t)
        sign, logdet = np.linalg.slogdet(a)
        if sign <= 0:
            return np.inf
        q = yty - float(c @ (t * t)) - float(b @ np.linalg.solve(a, b))
        if q <= 0:
            return np.inf
        return float(np.log1p(sizes * ratio).sum() + (n_obs - p) * np.log(q) + logdet)

    res = minimize_scalar(objective, bounds=LOG_RATIO_BOUNDS, method="bounded",
                          options={"xatol": 1e-10})
    return float(np.exp(res.x))


def _codes(groups: npt.ArrayLike) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    import pandas as pd

    codes, labels = pd.factorize(np.asarray(groups, dtype=object))
    return np.asarray(codes, dtype=np.intp), np.asarray(labels, dtype=object)
