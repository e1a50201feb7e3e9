"""Figures (PNG and PDF): data and noise, posteriors (corner, sky map, whitened strain),
diagnostics (training curves, P–P, tables)."""
