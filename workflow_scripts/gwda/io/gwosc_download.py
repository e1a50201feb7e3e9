"""Download GWOSC strain files (and other release files) with retries, back-off and an
on-disk cache.

File URLs are located with the ``gwosc`` client (the same discovery ``gwpy``'s
``TimeSeries.fetch_open_data`` uses). Downloads go to ``<name>.part`` and are renamed into
the cache only after the byte count matches and the file reads as complete GWOSC data, so a
truncated transfer never looks like a cached file.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import requests

from ..gw.segments import Span
from .gwosc_files import DataError, parse_name, read_file

log = logging.getLogger(__name__)
T = TypeVar("T")


def with_retries(action: Callable[[], T], what: str, retries: int, backoff: float) -> T:
    """Run ``action``; on failure wait ``backoff * 2**k`` s and retry, ``retries`` attempts in all."""
    last: Exception | None = None
    for attempt in range(1, retries + 1):
        try:
            return action()
        except (requests.RequestException, DataError, ValueError, OSError) as exc:
            last = exc
            log.warning("%s: attempt %d/%d failed: %s", what, attempt, retries, exc)
            if attempt < retries:
                time.sleep(backoff * 2 ** (attempt - 1))
    raise DataError(f"{what} failed after {retries} attempts: {last}") from last


def locate_urls(detector: str, span: Span, sample_rate: int, host: str) -> list[str]:
    from gwosc.locate import get_urls

    try:
        urls = get_urls(detector, int(math.floor(span.start)), int(math.ceil(span.end)),
                        sample_rate=sample_rate, host=host)
    except ValueError as exc:
        # gwosc raises ValueError when no dataset covers the span: not transient.
        raise LookupError(f"GWOSC at {host} has no {detector} data covering GPS {span}: {exc}") from exc
    return drop_contained(urls)


def drop_contained(urls: list[str]) -> list[str]:
    """Drop files whose GPS span lies inside another's: event datasets list a 32 s and a
    4096 s file for the same time, and one download is enough."""
    spans = {u: parse_name(Path(u).name) for u in urls}
    keep = []
    for url, name in spans.items():
        inside = name is not None and any(
            other is not None and other is not name and other.start <= name.start
            and name.end <= other.end and (other.duration > name.duration or other.path.name < name.path.name)
            for other in spans.values()
        )
        if not inside:
            keep.append(url)
    return keep


def _download(url: str, target: Path, verify: Callable[[Path], object], timeout: float) -> Path:
    # The partial file keeps the real suffix (so it can be read to verify it) but breaks
    # the GWOSC name pattern, so nothing mistakes it for a complete file.
    part = target.with_name(f"{target.stem}.part{target.suffix}")
    try:
        with requests.get(url, stream=True, timeout=timeout) as resp:
            resp.raise_for_status()
            expected = resp.headers.get("Content-Length")
            size = 0
            with open(part, "wb") as fh:
                for chunk in resp.iter_content(chunk_size=1 << 20):
                    fh.write(chunk)
                    size += len(chunk)
        if expected is not None and size != int(expected):
            raise DataError(f"truncated download of {url}: {size} of {expected} bytes")
        try:
            verify(part)
        except (DataError, ValueError) as exc:
            raise DataError(f"download of {url} is not a complete file of the expected kind: {exc}") from exc
        part.replace(target)
        return target
    finally:
        part.unlink(missing_ok=True)


def cached_download(url: str, cache_dir: Path, verify: Callable[[Path], object], retries: int, backoff: float,
                    timeout: float) -> Path:
    """Path of ``url`` in the cache, downloading it (with retries) if absent or if
    ``verify`` (which raises on a bad file) rejects the cached copy."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / Path(url).name
    if target.exists():
        try:
            verify(target)
            log.info("using cached %s", target)
            return target
        except (DataError, ValueError) as exc:
            corrupt = target.with_name(target.name + ".corrupt")
            target.replace(corrupt)
            log.warning("cached %s is corrupt (%s); moved to %s and downloading again",
                        target, exc, corrupt)
    log.info("downloading %s", url)
    return with_retries(lambda: _download(url, target, verify, timeout),
                        f"download of {url}", retries, backoff)


def cached_file(url: str, cache_dir: Path, detector: str, retries: int, backoff: float,
                timeout: float) -> Path:
    """Path of GWOSC file ``url`` in the cache (see :func:`cached_download`)."""
    return cached_download(url, cache_dir, lambda path: read_file(path, detector), retries, backoff, timeout)


def fetch_gwosc_files(detector: str, span: Span, sample_rate: int, settings: dict) -> list[Path]:
    """Local cached copies of the GWOSC files that cover ``span`` for ``detector``."""
    host = settings["host"].rstrip("/")
    retries, backoff, timeout = settings["retries"], settings["backoff"], settings["timeout"]
    try:
        urls = with_retries(lambda: locate_urls(detector, span, sample_rate, host),
                            f"GWOSC lookup of {detector} GPS {span} at {host}", retries, backoff)
    except DataError as exc:
        raise DataError(f"GWOSC unreachable: {exc}") from exc
    except LookupError as exc:
        raise DataError(str(exc)) from exc
    cache_dir = Path(settings["cache_dir"])
    return [cached_file(u, cache_dir, detector, retries, backoff, timeout) for u in urls]
