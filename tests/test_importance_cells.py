"""The cells that rebalancing tilts the proposal on (gwda.core.importance.Cells): numbered in
row-major order of the parameters' bins, and a partition without parameters is one cell."""

import numpy as np
from gwda.core import importance


def test_cells_without_parameters_hold_every_sample_in_cell_zero():
    """No parameter to cut: one cell, and each of the n samples gets the integer label 0, an
    index the tilt's factors and np.bincount take (as many labels as samples)."""
    cells = importance.Cells({})
    assert cells.shape == () and cells.size == 1
    samples = {"chirp_mass": np.linspace(20.0, 40.0, 7), "theta_jn": np.linspace(0.0, 3.0, 7)}
    labels = cells.label(samples)
    assert labels.shape == (7,) and labels.dtype.kind == "i"
    np.testing.assert_array_equal(labels, np.zeros(7, dtype=int))
    np.testing.assert_array_equal(np.bincount(labels, minlength=cells.size), [7])
    tilt = importance.Tilt({"cells": np.log([2.0])}, defensive=0.0)
    np.testing.assert_allclose(tilt({"cells": labels}), np.full(7, 2.0), rtol=1e-15)


def test_cells_are_numbered_row_major_over_equal_width_bins():
    """Two bins of a on [0, 2] and three of b on [0, 3]: cell = 3 × (bin of a) + (bin of b),
    each bin closed on its upper edge (searchsorted's left side)."""
    cells = importance.Cells.equal_width({"a": (0.0, 2.0), "b": (0.0, 3.0)}, {"a": 2, "b": 3})
    assert cells.shape == (2, 3) and cells.size == 6
    samples = {"a": np.array([0.5, 0.5, 1.5, 1.5, 1.0, 2.0]), "b": np.array([0.5, 2.5, 0.5, 1.5, 1.0, 3.0])}
    np.testing.assert_array_equal(cells.label(samples), [0, 2, 3, 4, 0, 5])
