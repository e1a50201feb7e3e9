# Posterior for the event: flow samples, then exact-likelihood importance sampling.


rule sample_posterior:
    input:
        model="results/{event}/model/model.json",
        network="results/{event}/model/network.pt",
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
        config=stage_config("sample_posterior"),
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
        model="results/{event}/model/model.json",
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
        config=stage_config("importance_sample"),
    threads: 8
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/importance_sample.py"
