"""Hypothesis strategies: valid and invalid responses built from the definitions."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from painmap.instruments import INSTRUMENT_IDS, get_definition
from painmap.instruments.definitions import InstrumentDefinition, ResponseScale


def _value(scale: ResponseScale, missing: float) -> st.SearchStrategy[Any]:
    present = st.sampled_from(scale.values)
    if missing <= 0:
        return present
    return st.one_of(st.none(), present) if missing >= 0.5 else present | st.none()


def item_values(
    defn: InstrumentDefinition, allow_missing: bool = True
) -> st.SearchStrategy[list[Any]]:
    """One value (or None) per item, in item order."""
    parts = [_value(defn.scale_of(i), 0.2 if allow_missing else 0) for i in defn.items]
    return st.tuples(*parts).map(list)


def to_answers(defn: InstrumentDefinition, values: list[Any], months: float | None) -> Any:
    """Item-order values in the instrument's answer form."""
    if defn.answer_format == "paindetect":
        return {"sensory": values[:7], "course": values[7], "radiating": values[8]}
    if defn.answer_format == "acr2016":
        assert defn.wpi_sites is not None
        ns = len(defn.wpi_sites)
        sites = (
            None
            if values[0] is None
            else [s.id for s, v in zip(defn.wpi_sites, values[:ns], strict=True) if v == 1]
        )
        sss = {str(i.key): v for i, v in zip(defn.items[ns:], values[ns:], strict=True)}
        return {"wpi_sites": sites, "sss": sss, "duration_months": months}
    return values


@st.composite
def valid_response(
    draw: st.DrawFn, instrument: str | None = None, allow_missing: bool = True
) -> tuple[str, Any]:
    """An instrument id and a valid response to it."""
    iid = instrument or draw(st.sampled_from(INSTRUMENT_IDS))
    defn = get_definition(iid)
    values = draw(item_values(defn, allow_missing))
    if defn.answer_format == "acr2016" and values[0] is not None:
        # The WPI is one answer (a list of sites): present for all sites or for none.
        values[: len(defn.wpi_sites or [])] = [
            v if v is not None else 0 for v in values[: len(defn.wpi_sites or [])]
        ]
    elif defn.answer_format == "acr2016":
        values[: len(defn.wpi_sites or [])] = [None] * len(defn.wpi_sites or [])
    months = (
        draw(st.none() | st.floats(0, 600, allow_nan=False))
        if allow_missing
        else draw(st.floats(0, 600, allow_nan=False))
    )
    return iid, to_answers(defn, values, months)


def invalid_value(scale: ResponseScale) -> st.SearchStrategy[Any]:
    """A value that is not an allowed answer of the scale."""
    vals = scale.values
    if all(isinstance(v, bool) for v in vals):
        return st.sampled_from([0, 1, "yes", 2.5, [True]])
    if all(isinstance(v, int) for v in vals):
        lo, hi = min(vals), max(vals)  # type: ignore[type-var]
        return st.one_of(
            st.integers(max_value=int(lo) - 1),
            st.integers(min_value=int(hi) + 1),
            st.floats(allow_nan=True).filter(lambda x: not float(x).is_integer()),
            st.booleans(),
            st.text(max_size=3),
            st.just([1]),
        )
    return st.text(max_size=12).filter(lambda s: s not in vals) | st.integers() | st.booleans()
