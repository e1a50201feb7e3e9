"""The workflow's stages: one function per rule, one module per rule family (the files of
``rules/``). A stage reads its inputs, calls the library and writes its outputs; the
physics and the machine learning live below (:mod:`gwda.gw`, :mod:`gwda.core`,
:mod:`gwda.npe`). A stage function's arguments carry the names of its rule's inputs,
outputs, params and wildcards, so the rule scripts only name the function
(:func:`gwda.cli.run`). Dependencies only some rules need (torch, bilby) are imported inside
the stage function that needs them, so that each rule's conda environment holds what that
rule uses (``tests/test_envs.py`` checks it).

:data:`CONFIG` declares, once, the config sections each stage reads. The rules pass exactly
these (``rules/common.smk``: ``stage_config``), so that a change to them, and only to them,
re-runs the stage; a stage run by hand gets the same subset; ``train_flow`` fingerprints
them to decide whether its checkpoint can be resumed (``train_glitch_gan`` likewise). ``"a.b"``
is key ``b`` of section ``a``, and so on.
"""

CONFIG: dict[str, tuple[str, ...]] = {
    # data (the search sets the event's settings: gwda.config.apply_event_settings)
    "fetch_search_strain": ("data", "search.duration"),
    "search_event": ("seed", "data", "search", "prior.geocent_time", "prior.luminosity_distance"),
    "fetch_strain": ("data",),
    "estimate_psd": ("data",),
    # noise (with glitches from the GAN or the burst families)
    "simulate_noise": ("seed", "data", "noise", "glitches.classes", "glitches.ranges", "glitches.window",
                       "glitches.peak_jitter"),
    # glitches
    "prepare_bursts": ("seed", "data", "glitches.source", "glitches.classes", "glitches.window",
                       "glitches.peak_jitter", "glitches.samples_per_class", "glitches.ranges", "glitches.gwosc",
                       "glitches.evaluation.samples_per_class"),
    "train_glitch_gan": ("seed", "glitches.classes", "glitches.window", "glitches.peak_jitter", "glitches.ranges",
                         "glitches.gan"),
    "generate_glitches": ("seed", "glitches.gan.device", "glitches.generated_per_class"),
    "evaluate_glitch_gan": ("seed", "glitches.evaluation"),
    # train
    "generate_waveforms": ("seed", "data", "prior", "prior_constraints", "waveform", "training.proposal"),
    "train_flow": ("seed", "data", "prior", "prior_constraints", "waveform", "model", "training",
                   "glitches.classes", "glitches.ranges", "glitches.window", "glitches.peak_jitter"),
    # denoise: the simulator's sections (as train_flow) and the GAN's, for its glitches
    "train_denoiser": ("seed", "data", "prior", "prior_constraints", "waveform", "denoiser",
                       "glitches.classes", "glitches.ranges", "glitches.window", "glitches.peak_jitter"),
    "evaluate_denoiser": ("seed", "data", "prior", "prior_constraints", "waveform", "denoiser",
                          "glitches.classes", "glitches.ranges", "glitches.window", "glitches.peak_jitter"),
    "denoise_event": ("seed", "denoiser.posterior_waveforms"),
    # inference: the model file carries its own data, prior, waveform and network settings
    "sample_posterior": ("seed", "inference", "training.device"),
    "importance_sample": ("seed", "inference"),
    # coverage
    "pp_test": ("seed", "validation.pp_injections", "validation.pp_samples", "validation.pp_importance_sampling",
                "validation.pp_target_ess", "validation.pp_max_samples", "training.device"),
    "glitch_robustness": ("seed", "data", "validation.pp_injections", "validation.pp_samples",
                          "validation.glitch_robustness", "training.device", "glitches.classes", "glitches.ranges",
                          "glitches.window", "glitches.peak_jitter"),
    "glitch_robustness_summary": (),
    # references
    "reference_posterior": ("validation.references", "validation.reference_cache_dir", "data.gwosc"),
    "compare_posteriors": (),
    # exact
    "bilby_reference": ("seed", "data", "prior", "prior_constraints", "waveform", "validation.bilby"),
    "compare_with_exact": ("data", "waveform", "prior", "prior_constraints"),
    # report
    "plot_training": (),
    "plot_reconstruction": ("seed", "validation.reconstruction_samples"),
    "catalogue": (),
    # the whole run's summary records the whole config it ran with
    "summarise_run": ("events", "seed", "data", "noise", "glitches", "prior", "prior_constraints", "waveform",
                      "model", "training", "denoiser", "inference", "validation"),
}
