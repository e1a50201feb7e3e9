"""Generic machine learning, with no knowledge of gravitational waves: flows and embedding
networks, the training loop, importance sampling, coverage statistics, divergences, reduced
bases, process-parallel maps and numpy/torch array helpers."""
