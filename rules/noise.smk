# Noise simulation: coloured Gaussian noise from the PSDs, checked against the real data.


rule simulate_noise:
    input:
        strain=per_detector("results/{event}/strain/{ifo}.hdf5"),
        psd=per_detector("results/{event}/psd/{ifo}_psd.hdf5"),
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
    log:
        "results/{event}/logs/simulate_noise.log",
    params:
        config=stage_config("simulate_noise"),
    threads: 1
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/simulate_noise.py"
