# Published posteriors and NPE / NPE-IS compared with them (gwda.stages.references).


# Published posteriors are downloaded (LIGO DCC) or read locally: on the submit host.
localrules:
    reference_posterior,


rule reference_posterior:
    output:
        posterior="results/{event}/reference/{reference}.hdf5",
    log:
        "results/{event}/logs/reference_posterior_{reference}.log",
    params:
        config=stage_config("reference_posterior"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 1
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/reference_posterior.py"


rule compare_posteriors:
    input:
        posterior="results/{event}/posterior.hdf5",
        references=reference_files,
    output:
        table=report(
            "results/{event}/validation/comparison.csv",
            caption="captions/comparison_table.rst",
            category="Validation",
            subcategory="{event}",
        ),
        result="results/{event}/validation/comparison.json",
        corner=report(
            "results/{event}/figures/corner.png",
            caption="captions/corner.rst",
            category="Posterior",
            subcategory="{event}",
        ),
        corner_pdf="results/{event}/figures/corner.pdf",
        skymap=report(
            "results/{event}/figures/skymap.png",
            caption="captions/skymap.rst",
            category="Posterior",
            subcategory="{event}",
        ),
        skymap_pdf="results/{event}/figures/skymap.pdf",
        summary_table=report(
            "results/{event}/figures/summary_table.png",
            caption="captions/summary_table.rst",
            category="Posterior",
            subcategory="{event}",
        ),
        summary_table_pdf="results/{event}/figures/summary_table.pdf",
    log:
        "results/{event}/logs/compare_posteriors.log",
    params:
        config=stage_config("compare_posteriors"),
    threads: 1
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/compare_posteriors.py"
