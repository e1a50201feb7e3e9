"""Files: GWOSC strain (naming, reading, download with retries and cache, checks), PSD files,
published reference posteriors, posterior-sample files (the PESummary metafile of the event),
synthetic GWOSC-format data."""
