"""The end-to-end regression check itself (bench/regression.py): the tolerances it applies fail
on changes beyond them. tests/test_workflow.py applies it to a run of the real GW150914 files."""

import json

import pytest
from bench.regression import REFERENCE, check, differences, float_order_noise, tolerances


@pytest.fixture(scope="module")
def reference():
    return json.loads(REFERENCE.read_text())


def test_the_reference_passes_itself_and_records_its_provenance(reference):
    assert check(dict(reference["numbers"]), reference) == []
    assert len(reference["provenance"]["git"]["commit"]) == 40
    assert reference["tolerances"] == tolerances(reference["float_order_noise"])


def test_a_change_beyond_its_kinds_tolerance_fails(reference):
    numbers = reference["numbers"]
    psd = next(k for k in numbers if k.startswith("psd/"))
    assert [f.split(":")[0] for f in check({**numbers, psd: numbers[psd] * (1 + 1e-6)}, reference)] == [psd]
    key = "posterior/NPE-IS/chirp_mass/p50"
    rtol = reference["tolerances"]["posterior"]["relative"]
    assert check({**numbers, key: numbers[key] * (1 + 0.5 * rtol)}, reference) == []
    assert [f.split(":")[0] for f in check({**numbers, key: numbers[key] * (1 + 2 * rtol)}, reference)] == [key]
    dropped = dict(numbers)
    dropped.pop(key)
    assert [f.split(":")[0] for f in check(dropped, reference)] == [key]


def test_tolerances_are_ten_times_the_thread_order_noise():
    one = {"training/epoch1/train_loss": 3.0, "psd/H1/20Hz": 1e-44, "pp/pvalue/chirp_mass": 0.4}
    two = {"training/epoch1/train_loss": 3.0 * (1 + 2e-5), "psd/H1/20Hz": 1e-44, "pp/pvalue/chirp_mass": 0.4 * (1 - 1e-3)}
    noise = float_order_noise(one, two)
    tol = tolerances(noise)
    assert tol["training"]["relative"] == pytest.approx(2e-4, rel=1e-4)
    assert tol["pp"]["relative"] == pytest.approx(1e-2, rel=2e-3)
    assert tol["psd"]["relative"] == 1e-9 and tol["jsd"]["relative"] == 1e-4      # exact kind; the floor
    assert differences({"a/x": 1.0}, {"a/x": float("nan")})["a/x"][2] == float("inf")
