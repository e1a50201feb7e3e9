# Coverage of the trained model on injections: the P-P test, and the same injections with a
# glitch near the merger (gwda.stages.coverage).


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
        event_settings=EVENT_SETTINGS,
        glitch_network=glitch_gan("validation.glitch_robustness"),
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


# Opt-in: the robustness test (same injections and glitches) on the model trained with glitches:
#   snakemake --cores all results/GW150914/validation/glitch_robustness_glitch_trained.json
use rule glitch_robustness as glitch_robustness_glitch_trained with:
    input:
        model="results/{event}/model_glitches/model.json",
        network="results/{event}/model_glitches/network.pt",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        glitch_network=glitch_gan("validation.glitch_robustness"),
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
        event_settings=EVENT_SETTINGS,
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
        event_settings=EVENT_SETTINGS,
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
