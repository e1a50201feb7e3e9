# gwda: machine-learning gravitational-wave data analysis, from GWOSC strain to a report.
# Run: snakemake --cores all   (config/config.yaml, extended by any --configfile/--config;
#      see README.md for variants and Slurm)
# Report: snakemake --report results/report.html   (after the run)

from snakemake.utils import min_version

min_version("9.0")


report: "rules/captions/workflow.rst"


include: "rules/common.smk"
include: "rules/search.smk"
include: "rules/data.smk"
include: "rules/glitches.smk"
include: "rules/noise.smk"
include: "rules/train.smk"
include: "rules/denoise.smk"
include: "rules/inference.smk"
include: "rules/coverage.smk"
include: "rules/references.smk"
include: "rules/exact.smk"
include: "rules/report.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
