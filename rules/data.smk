# Data stage: the checked strain of the analysis (with the event's settings from its search,
# rules/search.smk) and its Welch PSD (median by default).


# Compute nodes often have no internet: download on the submit host.
localrules:
    fetch_strain,


rule fetch_strain:
    input:
        event_settings=EVENT_SETTINGS,
    output:
        strain="results/{event}/strain/{ifo}.hdf5",
    log:
        "results/{event}/logs/fetch_strain_{ifo}.log",
    params:
        config=stage_config("fetch_strain"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 1
    resources:
        gwosc_downloads=1,
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/fetch_strain.py"


rule estimate_psd:
    input:
        strain="results/{event}/strain/{ifo}.hdf5",
        event_settings=EVENT_SETTINGS,
    output:
        psd="results/{event}/psd/{ifo}_psd.hdf5",
        asd="results/{event}/psd/{ifo}_asd.txt",
        figure=report(
            "results/{event}/figures/asd_{ifo}.png",
            caption="captions/asd.rst",
            category="Data",
            subcategory="{event}",
        ),
        figure_pdf="results/{event}/figures/asd_{ifo}.pdf",
    log:
        "results/{event}/logs/estimate_psd_{ifo}.log",
    params:
        config=stage_config("estimate_psd"),
    threads: 1
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/estimate_psd.py"
