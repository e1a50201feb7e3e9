# Checks of the posterior: P-P coverage on injections, published posteriors, comparisons.


# Published posteriors are downloaded (LIGO DCC) or read locally: on the submit host.
localrules:
    reference_posterior,


rule pp_test:
    input:
        model="results/{event}/model/model.json",
        network="results/{event}/model/network.pt",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
    output:
        result="results/{event}/validation/pp_test.json",
        levels="results/{event}/validation/pp_levels.csv",
        figure=report(
            "results/{event}/figures/pp_plot.png",
            caption="captions/pp_plot.rst",
            category="Validation",
            subcategory="{event}",
        ),
        figure_pdf="results/{event}/figures/pp_plot.pdf",
    log:
        "results/{event}/logs/pp_test.log",
    benchmark:
        "results/{event}/benchmarks/pp_test.tsv"
    params:
        config=stage_config("pp_test"),
    threads: 2
    resources:
        gpu=1,
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/pp_test.py"


rule glitch_robustness:
    input:
        model="results/{event}/model/model.json",
        network="results/{event}/model/network.pt",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        glitch_network=robustness_glitch_network,
    output:
        result="results/{event}/validation/glitch_robustness.json",
        table="results/{event}/validation/glitch_robustness.csv",
        figure=report(
            "results/{event}/figures/glitch_robustness.png",
            caption="captions/glitch_robustness.rst",
            category="Validation",
            subcategory="{event}",
        ),
        figure_pdf="results/{event}/figures/glitch_robustness.pdf",
    log:
        "results/{event}/logs/glitch_robustness.log",
    benchmark:
        "results/{event}/benchmarks/glitch_robustness.tsv"
    params:
        config=stage_config("glitch_robustness"),
    threads: 2
    resources:
        gpu=1,
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/glitch_robustness.py"


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


# Opt-in (not part of `all`): snakemake --cores all results/{event}/bilby/comparison.json
rule bilby_reference:
    input:
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
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
        # lists, as exact_reference_files gives them to compare_with_exact
        reference_posterior=["results/{event}/bilby/posterior.hdf5"],
        reference_summary=["results/{event}/bilby/summary.json"],
    output:
        result="results/{event}/bilby/comparison.json",
        table="results/{event}/bilby/comparison.png",
        corner="results/{event}/bilby/corner.png",
    log:
        "results/{event}/logs/compare_with_bilby.log",


# Opt-in: the robustness test (same injections and glitches) on the model trained with glitches:
#   snakemake --cores all results/GW150914/validation/glitch_robustness_glitch_trained.json
use rule glitch_robustness as glitch_robustness_glitch_trained with:
    input:
        model="results/{event}/model_glitches/model.json",
        network="results/{event}/model_glitches/network.pt",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        glitch_network=robustness_glitch_network,
    output:
        result="results/{event}/validation/glitch_robustness_glitch_trained.json",
        table="results/{event}/validation/glitch_robustness_glitch_trained.csv",
        figure="results/{event}/validation/glitch_robustness_glitch_trained.png",
        figure_pdf="results/{event}/validation/glitch_robustness_glitch_trained.pdf",
    log:
        "results/{event}/logs/glitch_robustness_glitch_trained.log",
    benchmark:
        "results/{event}/benchmarks/glitch_robustness_glitch_trained.tsv"


# Opt-in: the same two tests with gengli's real-data blips, glitches neither model saw in
# training (needs the extra: pip install -e '.[gengli]').
use rule glitch_robustness as glitch_robustness_gengli with:
    input:
        model="results/{event}/model/model.json",
        network="results/{event}/model/network.pt",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
    output:
        result="results/{event}/validation/glitch_robustness_gengli.json",
        table="results/{event}/validation/glitch_robustness_gengli.csv",
        figure="results/{event}/validation/glitch_robustness_gengli.png",
        figure_pdf="results/{event}/validation/glitch_robustness_gengli.pdf",
    log:
        "results/{event}/logs/glitch_robustness_gengli.log",
    benchmark:
        "results/{event}/benchmarks/glitch_robustness_gengli.tsv"
    params:
        config=gengli_robustness_config("glitch_robustness"),


use rule glitch_robustness_glitch_trained as glitch_robustness_glitch_trained_gengli with:
    input:
        model="results/{event}/model_glitches/model.json",
        network="results/{event}/model_glitches/network.pt",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
    output:
        result="results/{event}/validation/glitch_robustness_glitch_trained_gengli.json",
        table="results/{event}/validation/glitch_robustness_glitch_trained_gengli.csv",
        figure="results/{event}/validation/glitch_robustness_glitch_trained_gengli.png",
        figure_pdf="results/{event}/validation/glitch_robustness_glitch_trained_gengli.pdf",
    log:
        "results/{event}/logs/glitch_robustness_glitch_trained_gengli.log",
    benchmark:
        "results/{event}/benchmarks/glitch_robustness_glitch_trained_gengli.tsv"
    params:
        config=gengli_robustness_config("glitch_robustness"),


# Opt-in: the model trained without glitches against the one trained with them, on clean
# data, GAN glitches and gengli blips (the four robustness tests above):
#   snakemake --cores all results/GW150914/validation/glitch_robustness_summary.csv
rule glitch_robustness_summary:
    input:
        results=[
            "results/{event}/validation/glitch_robustness.csv",
            "results/{event}/validation/glitch_robustness_gengli.csv",
            "results/{event}/validation/glitch_robustness_glitch_trained.csv",
            "results/{event}/validation/glitch_robustness_glitch_trained_gengli.csv",
        ],
    output:
        table="results/{event}/validation/glitch_robustness_summary.csv",
        figure=report(
            "results/{event}/figures/glitch_robustness_summary.png",
            caption="captions/glitch_robustness_summary.rst",
            category="Validation",
            subcategory="{event}",
        ),
    log:
        "results/{event}/logs/glitch_robustness_summary.log",
    params:
        config=stage_config("glitch_robustness_summary"),
    threads: 1
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/glitch_robustness_summary.py"
