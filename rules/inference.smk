# Posterior for the event: flow samples, then exact-likelihood importance sampling.


rule sample_posterior:
    input:
        model="results/{event}/model/model.pt",
        waveforms="results/{event}/training/waveforms.hdf5",
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
    output:
        samples="results/{event}/posterior/npe_samples.hdf5",
    log:
        "results/{event}/logs/sample_posterior.log",
    benchmark:
        "results/{event}/benchmarks/sample_posterior.tsv"
    params:
        config=stage_config("seed", "data", "training", "inference"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 2
    resources:
        gpu=1,
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/sample_posterior.py"


rule importance_sample:
    input:
        samples="results/{event}/posterior/npe_samples.hdf5",
        model="results/{event}/model/model.pt",
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
    output:
        posterior="results/{event}/posterior.hdf5",
        summary="results/{event}/summary.json",
    log:
        "results/{event}/logs/importance_sample.log",
    benchmark:
        "results/{event}/benchmarks/importance_sample.tsv"
    params:
        config=stage_config("seed", "data", "inference"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 8
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/importance_sample.py"
