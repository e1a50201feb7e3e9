# Simulation and training: intrinsic waveforms -> neural posterior estimator.


rule generate_waveforms:
    input:
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
    output:
        waveforms="results/{event}/training/waveforms.hdf5",
    log:
        "results/{event}/logs/generate_waveforms.log",
    benchmark:
        "results/{event}/benchmarks/generate_waveforms.tsv"
    params:
        config=stage_config("generate_waveforms"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 8
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/generate_waveforms.py"


rule train_flow:
    input:
        waveforms="results/{event}/training/waveforms.hdf5",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        glitch_network=glitch_gan("training.glitches", config["training"]["glitches"]["rate"] > 0),
    output:
        model="results/{event}/model/model.json",
        network="results/{event}/model/network.pt",
        loss="results/{event}/model/loss.csv",
    log:
        "results/{event}/logs/train_flow.log",
    benchmark:
        "results/{event}/benchmarks/train_flow.tsv"
    params:
        config=stage_config("train_flow"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
        # Not an output: it must survive a failed or killed job so a re-run resumes.
        workdir=lambda wildcards: f"results/{wildcards.event}/model/checkpoints",
    threads: 8
    resources:
        gpu=1,
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/train_flow.py"


# Opt-in: the same estimator trained with glitches in its training data (training.glitches at
# validation.glitch_robustness.trained_rate), for the robustness comparison (rules/coverage.smk).
use rule train_flow as train_flow_glitches with:
    input:
        waveforms="results/{event}/training/waveforms.hdf5",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        glitch_network=glitch_gan("training.glitches"),
    output:
        model="results/{event}/model_glitches/model.json",
        network="results/{event}/model_glitches/network.pt",
        loss="results/{event}/model_glitches/loss.csv",
    log:
        "results/{event}/logs/train_flow_glitches.log",
    benchmark:
        "results/{event}/benchmarks/train_flow_glitches.tsv"
    params:
        config=glitch_trained_config("train_flow"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
        workdir=lambda wildcards: f"results/{wildcards.event}/model_glitches/checkpoints",
