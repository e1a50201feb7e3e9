"""Gravitational-wave physics: the frequency domain and its whitening convention, detectors,
events, waveforms, priors and conversions, the simulator and the exact likelihood, time
alignment and flow coordinates, the matched filter, PSD estimation, Gaussian noise, and the
bridge to bilby."""
