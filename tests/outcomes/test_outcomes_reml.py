"""The closed-form REML start value equals statsmodels' own REML fit of the same model."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from painmap.outcomes.reml import reml_variance_ratio


def _data(n_groups: int, ratio: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 6, n_groups)             # unbalanced, some single visits
    g = np.repeat(np.arange(n_groups), sizes)
    x = rng.normal(size=len(g))
    arm = rng.integers(0, 3, len(g))
    u = rng.normal(scale=np.sqrt(ratio), size=n_groups)[g]
    y = 1.0 + 0.5 * x - 0.8 * (arm == 1) + u + rng.normal(size=len(g))
    return pd.DataFrame({"y": y, "x": x, "arm": arm, "g": [f"p{k:04d}" for k in g]})


@pytest.mark.parametrize(("ratio", "seed"), [(0.9, 1), (0.05, 2), (3.0, 3)])
def test_ratio_equals_statsmodels_reml(ratio: float, seed: int) -> None:
    df = _data(300, ratio, seed)
    model = smf.mixedlm("y ~ x + C(arm)", df, groups=df["g"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = model.fit(reml=True, method=["bfgs"])
        ours = reml_variance_ratio(model.exog, model.endog, df["g"])
        started = model.fit(start_params=np.array([np.sqrt(ours)]), reml=True,
                            method=["bfgs"])
    # statsmodels reports the random-intercept variance (cov_re) and the residual one (scale)
    sm_ratio = float(default.cov_re.iloc[0, 0]) / default.scale
    assert ours == pytest.approx(sm_ratio, rel=1e-3, abs=1e-4)
    # starting at our optimum, statsmodels stays there and reaches at least its own optimum
    assert started.converged
    assert float(started.cov_re.iloc[0, 0]) / started.scale == pytest.approx(ours, rel=1e-6,
                                                                             abs=1e-8)
    assert started.llf >= default.llf - 1e-9
    np.testing.assert_allclose(started.fe_params, default.fe_params, rtol=1e-4, atol=1e-5)


def test_no_between_group_variance_gives_a_ratio_near_zero() -> None:
    rng = np.random.default_rng(4)
    g = np.repeat(np.arange(400), 4)
    y = rng.normal(size=len(g))
    x = np.column_stack([np.ones(len(g)), rng.normal(size=len(g))])
    assert reml_variance_ratio(x, y, g) < 0.05


def test_bad_shapes_are_refused() -> None:
    x = np.ones((5, 2))
    with pytest.raises(ValueError, match="same number of rows"):
        reml_variance_ratio(x, np.ones(4), np.arange(5))
    with pytest.raises(ValueError, match="more observations"):
        reml_variance_ratio(np.ones((2, 2)), np.ones(2), np.arange(2))
