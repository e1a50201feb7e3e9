# Figures of the report not made by the stages themselves.


rule plot_training:
    input:
        loss="results/{event}/model/loss.csv",
    output:
        figure=report(
            "results/{event}/figures/loss.png",
            caption="captions/loss.rst",
            category="Training",
            subcategory="{event}",
        ),
        figure_pdf="results/{event}/figures/loss.pdf",
    log:
        "results/{event}/logs/plot_training.log",
    params:
        config=stage_config("plot_training"),
    threads: 1
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/plot_training.py"


rule plot_reconstruction:
    input:
        posterior="results/{event}/posterior.hdf5",
        model="results/{event}/model/model.json",
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
    output:
        figure=report(
            "results/{event}/figures/whitened_strain.png",
            caption="captions/whitened_strain.rst",
            category="Posterior",
            subcategory="{event}",
        ),
        figure_pdf="results/{event}/figures/whitened_strain.pdf",
    log:
        "results/{event}/logs/plot_reconstruction.log",
    params:
        config=stage_config("plot_reconstruction"),
    threads: 1
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/plot_reconstruction.py"


rule summarise_run:
    input:
        results=all_outputs(summary=False),
    output:
        summary="results/summary.json",
    log:
        "results/logs/summarise_run.log",
    params:
        config=stage_config("summarise_run"),
        events=list(EVENTS),
    threads: 1
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/summarise_run.py"


rule catalogue:
    input:
        posteriors=expand("results/{event}/posterior.hdf5", event=list(EVENTS)),
        references=all_reference_files(),
    output:
        table=report(
            "results/catalogue/catalogue.csv",
            caption="captions/catalogue_table.rst",
            category="Catalogue",
        ),
        result="results/catalogue/catalogue.json",
        figure=report(
            "results/catalogue/catalogue.png",
            caption="captions/catalogue.rst",
            category="Catalogue",
        ),
        figure_pdf="results/catalogue/catalogue.pdf",
    log:
        "results/logs/catalogue.log",
    params:
        config=stage_config("catalogue"),
        events=list(EVENTS),
    threads: 1
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/catalogue.py"
