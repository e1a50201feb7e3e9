"""Families of LALSimulation approximants, as far as the analysis needs to know them."""

#: Only the (2, ±2) modes and aligned spins: inclination and phase act analytically.
SEPARABLE_APPROXIMANTS = frozenset({"IMRPhenomD", "IMRPhenomXAS", "TaylorF2", "SEOBNRv4_ROM", "IMRPhenomC"})
#: Aligned spins (chi_1, chi_2); every other approximant takes the six precessing spin angles.
ALIGNED_SPIN_APPROXIMANTS = SEPARABLE_APPROXIMANTS | {"IMRPhenomXHM", "IMRPhenomHM", "SEOBNRv4HM_ROM"}
