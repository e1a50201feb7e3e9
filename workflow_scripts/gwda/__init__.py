"""gwda: machine-learning gravitational-wave data analysis, the library behind the workflow."""

__version__ = "0.1.0"
