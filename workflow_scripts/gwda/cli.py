"""The one entry point of every rule script: the same call from Snakemake or by hand.

A rule script names its stage function and the files it takes::

    run(npe_stage.sample_posterior, globals(), __doc__,
        inputs={"model_path": "model", "strain_paths": "strain+"}, outputs={"output": "samples"})

``inputs``/``outputs`` map the function's keyword to the rule's input/output name (a
trailing ``+`` means a list). Under Snakemake the values come from ``snakemake.input``,
``.output``, ``.params`` (``config``, ``trigger_time``), ``.wildcards`` (``event``, and
``ifo`` as ``detector``), ``params`` (by name, from ``snakemake.params`` or the wildcards),
``.threads`` and ``.log``; by hand each becomes an
option (``--model``, ``--strain a b``), with ``--config`` (a YAML file), ``--event``,
``--threads`` and, where the function needs it, ``--ifo``. Only the arguments the function
accepts are passed.
"""

from __future__ import annotations

import argparse
import inspect

from .config import event_by_name, load_config
from .runtime import setup_logging


def _accepts(func) -> set[str]:
    return set(inspect.signature(func).parameters)


def run(func, namespace: dict, doc: str, inputs: dict | None = None, outputs: dict | None = None,
        params: tuple[str, ...] = ()) -> None:
    inputs, outputs = inputs or {}, outputs or {}
    accepted = _accepts(func)
    sm = namespace.get("snakemake")
    if sm is not None:
        kwargs = {}
        for group, spec in ((sm.input, inputs), (sm.output, outputs)):
            for key, name in spec.items():
                kwargs[key] = list(group[name.rstrip("+")]) if name.endswith("+") else group[name]
        kwargs.update(config=sm.params.config, threads=sm.threads, event=sm.wildcards.get("event"),
                      detector=sm.wildcards.get("ifo"), trigger_time=sm.params.get("trigger_time"))
        kwargs.update({p: sm.params[p] if p in sm.params.keys() else sm.wildcards[p] for p in params})
        log = sm.log[0] if sm.log else None
    else:
        parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.add_argument("--config", required=True, help="YAML configuration file")
        needs_event = bool({"event", "trigger_time"} & accepted)
        parser.add_argument("--event", required=needs_event, help="event name (built-in table or config events)")
        parser.add_argument("--threads", type=int, default=1)
        if "detector" in accepted:
            parser.add_argument("--ifo", required=True, help="detector prefix, e.g. H1")
        for key, name in {**inputs, **outputs}.items():
            option = "--" + name.rstrip("+").replace("_", "-")
            parser.add_argument(option, dest=key, required=True, nargs="+" if name.endswith("+") else None)
        for p in params:
            parser.add_argument(f"--{p.replace('_', '-')}", dest=p, required=True)
        kwargs = vars(parser.parse_args())
        kwargs["config"] = load_config(kwargs["config"])
        kwargs["detector"] = kwargs.pop("ifo", None)
        if needs_event:
            kwargs["trigger_time"] = event_by_name(kwargs["config"], kwargs["event"]).gps_time
        log = None
    setup_logging(log)
    func(**{k: v for k, v in kwargs.items() if k in accepted})
