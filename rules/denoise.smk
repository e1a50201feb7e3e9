# The Transformer denoiser: trained on the event's simulator (and glitches), measured on
# held-out injections, applied to the event.


rule train_denoiser:
    input:
        waveforms="results/{event}/training/waveforms.hdf5",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        glitch_network=glitch_gan("denoiser.glitches"),
    output:
        network="results/{event}/denoiser/network.pt",
        losses="results/{event}/denoiser/losses.csv",
        summary="results/{event}/denoiser/training.json",
    log:
        "results/{event}/logs/train_denoiser.log",
    benchmark:
        "results/{event}/benchmarks/train_denoiser.tsv"
    params:
        config=stage_config("train_denoiser"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
        # Not an output: it must survive a failed or killed job so a re-run resumes.
        workdir=lambda wildcards: f"results/{wildcards.event}/denoiser/checkpoints",
    threads: 8
    resources:
        gpu=1,
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/train_denoiser.py"


rule evaluate_denoiser:
    input:
        network="results/{event}/denoiser/network.pt",
        losses="results/{event}/denoiser/losses.csv",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        glitch_network=glitch_gan("denoiser.glitches"),
    output:
        metrics="results/{event}/denoiser/metrics.json",
        figure=report(
            "results/{event}/figures/denoiser_overlap.png",
            caption="captions/denoiser_overlap.rst",
            category="Denoiser",
            subcategory="{event}",
        ),
        figure_pdf="results/{event}/figures/denoiser_overlap.pdf",
        loss_figure=report(
            "results/{event}/figures/denoiser_loss.png",
            caption="captions/denoiser_loss.rst",
            category="Denoiser",
            subcategory="{event}",
        ),
        loss_figure_pdf="results/{event}/figures/denoiser_loss.pdf",
    log:
        "results/{event}/logs/evaluate_denoiser.log",
    benchmark:
        "results/{event}/benchmarks/evaluate_denoiser.tsv"
    params:
        config=stage_config("evaluate_denoiser"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 2
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/evaluate_denoiser.py"


rule denoise_event:
    input:
        network="results/{event}/denoiser/network.pt",
        model="results/{event}/model/model.json",
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        posterior="results/{event}/posterior.hdf5",
    output:
        reconstruction="results/{event}/denoiser/denoised.hdf5",
        result="results/{event}/denoiser/event.json",
        figure=report(
            "results/{event}/figures/denoised_strain.png",
            caption="captions/denoised_strain.rst",
            category="Denoiser",
            subcategory="{event}",
        ),
        figure_pdf="results/{event}/figures/denoised_strain.pdf",
    log:
        "results/{event}/logs/denoise_event.log",
    params:
        config=stage_config("denoise_event"),
    threads: 1
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/denoise_event.py"


# Opt-in: the same denoiser trained on Gaussian noise only, measured on the same held-out
# examples (same seed), for the with/without-glitches comparison:
#   snakemake --cores all results/GW150914/denoiser/gaussian/metrics.json
use rule train_denoiser as train_denoiser_gaussian with:
    input:
        waveforms="results/{event}/training/waveforms.hdf5",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
    output:
        network="results/{event}/denoiser/gaussian/network.pt",
        losses="results/{event}/denoiser/gaussian/losses.csv",
        summary="results/{event}/denoiser/gaussian/training.json",
    log:
        "results/{event}/logs/train_denoiser_gaussian.log",
    benchmark:
        "results/{event}/benchmarks/train_denoiser_gaussian.tsv"
    params:
        config=stage_config("train_denoiser"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
        workdir=lambda wildcards: f"results/{wildcards.event}/denoiser/gaussian/checkpoints",
        gaussian_only=True,


use rule evaluate_denoiser as evaluate_denoiser_gaussian with:
    input:
        network="results/{event}/denoiser/gaussian/network.pt",
        losses="results/{event}/denoiser/gaussian/losses.csv",
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        glitch_network=glitch_gan("denoiser.glitches"),
    output:
        metrics="results/{event}/denoiser/gaussian/metrics.json",
        figure="results/{event}/denoiser/gaussian/overlap.png",
        figure_pdf="results/{event}/denoiser/gaussian/overlap.pdf",
        loss_figure="results/{event}/denoiser/gaussian/loss.png",
        loss_figure_pdf="results/{event}/denoiser/gaussian/loss.pdf",
    log:
        "results/{event}/logs/evaluate_denoiser_gaussian.log",
    benchmark:
        "results/{event}/benchmarks/evaluate_denoiser_gaussian.tsv"
