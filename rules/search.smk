# Search stage: a wide-bank matched-filter search of GWOSC (or local) strain around the
# trigger sets the event's settings (segment, prior window, PSD data) that the other stages read.


# Compute nodes often have no internet: download on the submit host.
localrules:
    fetch_search_strain,


rule fetch_search_strain:
    output:
        strain="results/{event}/search/strain_{ifo}.hdf5",
    log:
        "results/{event}/logs/fetch_search_strain_{ifo}.log",
    params:
        config=stage_config("fetch_search_strain"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 1
    resources:
        gwosc_downloads=1,
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/fetch_search_strain.py"


rule search_event:
    input:
        strain=per_detector("results/{event}/search/strain_{ifo}.hdf5"),
    output:
        settings=EVENT_SETTINGS,
        figure=report(
            "results/{event}/figures/search.png",
            caption="captions/search.rst",
            category="Search",
            subcategory="{event}",
        ),
        figure_pdf="results/{event}/figures/search.pdf",
    log:
        "results/{event}/logs/search_event.log",
    benchmark:
        "results/{event}/benchmarks/search_event.tsv"
    params:
        config=stage_config("search_event"),
        trigger_time=lambda wildcards: EVENTS[wildcards.event].gps_time,
    threads: 2
    conda:
        "../envs/simulation.yaml"
    script:
        "../workflow_scripts/search_event.py"
