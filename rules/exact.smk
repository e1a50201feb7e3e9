# The exact posterior of identical inputs (bilby/dynesty) and NPE / NPE-IS compared with it
# (gwda.stages.exact).


# Opt-in (not part of `all`): snakemake --cores all results/{event}/bilby/comparison.json
rule bilby_reference:
    input:
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        fiducial="results/{event}/posterior.hdf5",
    output:
        posterior="results/{event}/bilby/posterior.hdf5",
        summary="results/{event}/bilby/summary.json",
    log:
        "results/{event}/logs/bilby_reference.log",
    benchmark:
        "results/{event}/benchmarks/bilby_reference.tsv"
    params:
        config=stage_config("bilby_reference"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 8
    conda:
        "../envs/bilby.yaml"
    script:
        "../workflow_scripts/bilby_reference.py"


# NPE and NPE-IS against the exact posterior stored in the repository (validation.exact_reference),
# when its input checksums equal this run's: part of `all` where a reference is stored.
rule compare_with_exact:
    input:
        posterior="results/{event}/posterior.hdf5",
        summary="results/{event}/summary.json",
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        reference_posterior=lambda wildcards: exact_reference_files(wildcards.event, "posterior.hdf5"),
        reference_summary=lambda wildcards: exact_reference_files(wildcards.event, "summary.json"),
    output:
        result="results/{event}/validation/exact_comparison.json",
        table=report(
            "results/{event}/figures/exact_comparison.png",
            caption="captions/exact_comparison.rst",
            category="Validation",
            subcategory="{event}",
        ),
        corner=report(
            "results/{event}/figures/corner_exact.png",
            caption="captions/corner_exact.rst",
            category="Posterior",
            subcategory="{event}",
        ),
    log:
        "results/{event}/logs/compare_with_exact.log",
    params:
        config=stage_config("compare_with_exact"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 1
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/compare_with_exact.py"


# The same comparison against a fresh bilby_reference run (opt-in).
use rule compare_with_exact as compare_with_bilby with:
    input:
        posterior="results/{event}/posterior.hdf5",
        summary="results/{event}/summary.json",
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        # lists, as exact_reference_files gives them to compare_with_exact
        reference_posterior=["results/{event}/bilby/posterior.hdf5"],
        reference_summary=["results/{event}/bilby/summary.json"],
    output:
        result="results/{event}/bilby/comparison.json",
        table="results/{event}/bilby/comparison.png",
        corner="results/{event}/bilby/corner.png",
    log:
        "results/{event}/logs/compare_with_bilby.log",
