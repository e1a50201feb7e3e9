"""Transformer denoiser: whitened strain in, the whitened gravitational-wave signal out
(model, the window it works on, training data, training and evaluation)."""
