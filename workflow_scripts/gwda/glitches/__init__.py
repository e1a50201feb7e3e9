"""Transient noise: burst families in whitened data (the GAN's training set) and the
estimator of their physical parameters."""
