# Transient noise: a conditional GAN trained on whitened bursts, once for all events.


rule prepare_bursts:
    input:
        glitch_table=glitch_table,
    output:
        training_set="results/glitches/training_set.hdf5",
        heldout_set="results/glitches/heldout_set.hdf5",
    log:
        "results/glitches/logs/prepare_bursts.log",
    params:
        config=stage_config("prepare_bursts"),
    threads: 1
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/prepare_bursts.py"


rule train_glitch_gan:
    input:
        training_set="results/glitches/training_set.hdf5",
    output:
        network="results/glitches/gan/network.pt",
        losses="results/glitches/gan/losses.csv",
        summary="results/glitches/gan/training.json",
    log:
        "results/glitches/logs/train_glitch_gan.log",
    benchmark:
        "results/glitches/benchmarks/train_glitch_gan.tsv"
    params:
        config=stage_config("train_glitch_gan"),
        # Not an output: it must survive a failed or killed job so a re-run resumes.
        workdir="results/glitches/gan/checkpoints",
    threads: 8
    resources:
        gpu=1,
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/train_glitch_gan.py"


rule generate_glitches:
    input:
        network="results/glitches/gan/network.pt",
    output:
        glitches="results/glitches/generated.hdf5",
    log:
        "results/glitches/logs/generate_glitches.log",
    params:
        config=stage_config("generate_glitches"),
    threads: 2
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/generate_glitches.py"


rule evaluate_glitch_gan:
    input:
        training_set="results/glitches/training_set.hdf5",
        heldout_set="results/glitches/heldout_set.hdf5",
        glitches="results/glitches/generated.hdf5",
        losses="results/glitches/gan/losses.csv",
        gan_summary="results/glitches/gan/training.json",
    output:
        metrics="results/glitches/gan_metrics.json",
        grid_figure=report(
            "results/glitches/figures/real_vs_generated.png",
            caption="captions/glitch_grid.rst",
            category="Transient noise",
        ),
        grid_figure_pdf="results/glitches/figures/real_vs_generated.pdf",
        parameters_figure=report(
            "results/glitches/figures/glitch_parameters.png",
            caption="captions/glitch_parameters.rst",
            category="Transient noise",
        ),
        parameters_figure_pdf="results/glitches/figures/glitch_parameters.pdf",
        loss_figure=report(
            "results/glitches/figures/gan_losses.png",
            caption="captions/gan_losses.rst",
            category="Transient noise",
        ),
        loss_figure_pdf="results/glitches/figures/gan_losses.pdf",
    log:
        "results/glitches/logs/evaluate_glitch_gan.log",
    params:
        config=stage_config("evaluate_glitch_gan"),
    threads: 2
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/evaluate_glitch_gan.py"
