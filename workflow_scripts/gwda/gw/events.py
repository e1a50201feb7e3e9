"""Built-in table of confident GWTC-1 binary-black-hole (and neutron-star) events.

GPS times are the geocentric merger times listed by GWOSC for GWTC-1; detectors are
those whose data were used in the catalogue analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    name: str
    gps_time: float
    detectors: tuple[str, ...] = field(default=("H1", "L1"))


EVENTS: dict[str, Event] = {
    e.name: e
    for e in (
        Event("GW150914", 1126259462.4, ("H1", "L1")),
        Event("GW151012", 1128678900.4, ("H1", "L1")),
        Event("GW151226", 1135136350.6, ("H1", "L1")),
        Event("GW170104", 1167559936.6, ("H1", "L1")),
        Event("GW170608", 1180922494.5, ("H1", "L1")),
        Event("GW170729", 1185389807.3, ("H1", "L1", "V1")),
        Event("GW170809", 1186302519.8, ("H1", "L1", "V1")),
        Event("GW170814", 1186741861.5, ("H1", "L1", "V1")),
        Event("GW170817", 1187008882.4, ("H1", "L1", "V1")),
        Event("GW170818", 1187058327.1, ("H1", "L1", "V1")),
        Event("GW170823", 1187529256.5, ("H1", "L1")),
    )
}
