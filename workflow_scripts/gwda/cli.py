"""The one entry point of every rule script: the same call from Snakemake or by hand.

A rule script names its stage function::

    run(inference.sample_posterior, globals(), __doc__)

The function's arguments carry the names of the rule's inputs, outputs, params and
wildcards (``model``, ``strain``, ``samples``, ``workdir``, ``ifo``, ...). Under Snakemake
each comes from ``snakemake.input``, ``.output``, ``.params`` or ``.wildcards`` by that
name, ``config`` from ``params.config`` (the stage's sections, :data:`gwda.stages.CONFIG`),
``trigger_time`` from ``params.trigger_time``, ``threads`` and the log file from the job.
By hand each becomes an option (``--model M``, ``--strain H1.hdf5 L1.hdf5`` for an argument
annotated as a list), with ``--config`` (a YAML file, validated, of which the stage gets its
sections), ``--event`` (which gives the trigger time) and ``--threads``.
"""

from __future__ import annotations

import argparse
import inspect

from .config import apply_event_settings, config_sections, event_by_name, load_config
from .runtime import setup_logging
from .stages import CONFIG

#: Arguments that are not files, params or wildcards of the rule.
JOB = ("config", "event", "trigger_time", "threads", "progress", "event_settings")


def run(func, namespace: dict, doc: str) -> None:
    signature = inspect.signature(func)
    names = [n for n in signature.parameters if n not in JOB]
    sm = namespace.get("snakemake")
    if sm is not None:
        kwargs = {"config": sm.params.config, "threads": sm.threads, "event": sm.wildcards.get("event"),
                  "trigger_time": sm.params.get("trigger_time")}
        for name in names:
            for group in (sm.input, sm.output, sm.params, sm.wildcards):
                if name in group.keys():
                    value = group[name]
                    kwargs[name] = list(value) if isinstance(value, list) else value
                    break
        log = sm.log[0] if sm.log else None
        settings = sm.input.get("event_settings")
    else:
        parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.add_argument("--config", required=True, help="YAML configuration file")
        parser.add_argument("--event", required=bool({"event", "trigger_time"} & set(signature.parameters)),
                            help="event name (built-in table or config events)")
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--event-settings", help="the event's settings from its search "
                            "(results/{event}/search/settings.json), which replace the config's")
        for name in names:
            parameter = signature.parameters[name]
            if parameter.annotation in (bool, "bool"):
                parser.add_argument(f"--{name.replace('_', '-')}", dest=name, action="store_true", default=None)
                continue
            many = "list" in str(parameter.annotation)
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, nargs="+" if many else None,
                                required=parameter.default is inspect.Parameter.empty)
        kwargs = {k: v for k, v in vars(parser.parse_args()).items() if v is not None}
        config = load_config(kwargs["config"])
        if "event" in kwargs:
            kwargs["trigger_time"] = event_by_name(config, kwargs["event"]).gps_time
        kwargs["config"] = config_sections(config, CONFIG[func.__name__])
        settings = kwargs.pop("event_settings", None)
        log = None
    setup_logging(log)
    kwargs["config"] = apply_event_settings(kwargs["config"], settings)
    func(**{k: v for k, v in kwargs.items() if k in signature.parameters})
