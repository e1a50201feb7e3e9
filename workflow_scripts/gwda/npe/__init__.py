"""The neural posterior estimator: generic machine learning (:mod:`gwda.core`) applied to the
physics (:mod:`gwda.gw`). The intrinsic waveform set, the simulated training batches, and a
trained model as one object that owns its settings, simulator, prior, coordinates, sampling
and exact likelihood."""
