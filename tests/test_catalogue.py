"""The catalogue table: each event's interval against its published one, the median-inside
flag, the JSD, and the source-frame chirp mass."""

import numpy as np
import pytest
from gwda.gw.conversions import redshift_from_distance
from gwda.stages.report import _with_source_frame, catalogue_table


def _samples(rng, chirp_mass, distance, n=4000):
    return {"chirp_mass": rng.normal(chirp_mass, 0.5, n), "mass_ratio": rng.uniform(0.5, 1.0, n),
            "luminosity_distance": rng.normal(distance, 50.0, n)}


def test_catalogue_rows_flag_a_median_outside_the_published_interval():
    rng = np.random.default_rng(1)
    events = {"A": _samples(rng, 30.0, 400.0), "B": _samples(rng, 10.0, 400.0)}
    published = {"A": ("pub", _samples(rng, 30.0, 400.0)),
                 "B": ("pub", _samples(rng, 12.0, 400.0))}      # 4 sigma away: B's median outside
    frame = catalogue_table(events, published, {"A": "NPE-IS", "B": "NPE-IS"}).set_index(["event", "parameter"])
    a, b = frame.loc[("A", "chirp_mass")], frame.loc[("B", "chirp_mass")]
    assert a["median_inside_reference_90"] and not b["median_inside_reference_90"]
    assert a["median"] == pytest.approx(30.0, abs=0.05) and a["upper"] - a["lower"] == pytest.approx(2 * 1.645 * 0.5, rel=0.08)
    # same distribution: JSD at the KDE's floor; 4 sigma apart: most of ln 2
    assert a["jsd_nat"] < 2e-3 and b["jsd_nat"] > 0.5 * np.log(2)
    assert frame.loc[("B", "mass_ratio")]["median_inside_reference_90"]


def test_an_event_without_a_published_posterior_has_its_own_intervals_only():
    rng = np.random.default_rng(2)
    frame = catalogue_table({"A": _samples(rng, 30.0, 400.0)}, {}, {"A": "NPE"})
    assert set(frame["parameter"]) == {"chirp_mass", "mass_ratio", "luminosity_distance"}
    assert "jsd_nat" not in frame or frame["jsd_nat"].isna().all()
    assert (frame["analysis"] == "NPE").all()


def test_source_frame_chirp_mass_divides_by_one_plus_redshift():
    d = np.array([100.0, 440.0, 1500.0])
    out = _with_source_frame({"chirp_mass": np.full(3, 30.0), "luminosity_distance": d})
    z = redshift_from_distance(d)
    np.testing.assert_allclose(out["chirp_mass_source"], 30.0 / (1 + z))
    assert 0.08 < z[1] < 0.10          # GW150914's distance, Planck15: z ≈ 0.09
