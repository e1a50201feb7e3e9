"""GPS spans of an analysis: the on-source segment, the off-source PSD data, what to fetch."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def __str__(self) -> str:
        return f"[{self.start:.12g}, {self.end:.12g})"


@dataclass(frozen=True)
class AnalysisSpans:
    trigger_time: float
    segment: Span              # on-source analysis segment
    psd_chunks: tuple[Span, ...]  # contiguous off-source stretches used by Welch

    @property
    def fetch(self) -> Span:
        """The integer-second GPS span covering everything the analysis reads."""
        starts = [self.segment.start] + [c.start for c in self.psd_chunks]
        ends = [self.segment.end] + [c.end for c in self.psd_chunks]
        return Span(float(math.floor(min(starts))), float(math.ceil(max(ends))))


def analysis_spans(trigger_time: float, data: dict) -> AnalysisSpans:
    """Spans for the ``data`` section of a validated config."""
    seg_cfg, psd_cfg = data["segment"], data["psd"]
    end = trigger_time + seg_cfg["post_trigger"]
    segment = Span(end - seg_cfg["duration"], end)
    if psd_cfg["placement"] == "before":
        chunks = (Span(segment.start - psd_cfg["duration"], segment.start),)
    else:
        half = psd_cfg["duration"] / 2
        chunks = (Span(segment.start - half, segment.start), Span(segment.end, segment.end + half))
    return AnalysisSpans(trigger_time, segment, chunks)
