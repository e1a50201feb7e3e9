# Noise simulation: coloured Gaussian noise from the PSDs, checked against the real data, and
# the same noise with glitches injected (from the GAN of rules/glitches.smk by default).


rule simulate_noise:
    input:
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
        event_settings=EVENT_SETTINGS,
        glitch_network=glitch_gan("noise.glitches"),
    output:
        noise="results/{event}/noise/simulated_noise.hdf5",
        summary="results/{event}/noise/noise_summary.json",
        figure=report(
            "results/{event}/figures/noise_comparison.png",
            caption="captions/noise_comparison.rst",
            category="Data",
            subcategory="{event}",
        ),
        figure_pdf="results/{event}/figures/noise_comparison.pdf",
        glitch_noise="results/{event}/noise/noise_with_glitches.hdf5",
        glitch_catalogue="results/{event}/noise/glitch_catalogue.csv",
        glitch_figure=report(
            "results/{event}/figures/noise_glitches.png",
            caption="captions/noise_glitches.rst",
            category="Transient noise",
            subcategory="{event}",
        ),
        glitch_figure_pdf="results/{event}/figures/noise_glitches.pdf",
    log:
        "results/{event}/logs/simulate_noise.log",
    params:
        config=stage_config("simulate_noise"),
    threads: 1
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/simulate_noise.py"
