"""Files: GWOSC strain (naming, reading, download with retries and cache, checks), PSD files,
published reference posteriors, posterior-sample files (the PESummary metafile of the event),
synthetic GWOSC-format data, simulated noise, glitches, the intrinsic waveforms and the
denoiser's reconstruction.

HDF5 attributes, one convention (:mod:`.hdf5`), followed by the strain, PSD, noise, glitch,
waveform and denoiser files and by new files:

* every dataset says what it holds in ``description`` and, where it has a physical unit,
  gives it in ``unit`` (``Hz``, ``s``, ``strain``, ``strain/Hz``, ``strain^2/Hz
  (one-sided)``, ``rad``, ...); whitened series, labels, SNRs and other dimensionless numbers
  have no ``unit``;
* attributes that qualify one dataset only (the GPS start and sample rate of a time series,
  the bit names of a mask) sit on that dataset;
* the file's attributes hold what applies to the whole file: provenance (event, seed, the
  config, timings, device) and the settings the datasets are read with (detector, sample
  rate, domain, classes, whitening convention); scalars and strings as they are, anything
  else as JSON text (:func:`gwda.runtime.set_attrs`).

Files in a format defined elsewhere (GWOSC strain files, PESummary metafiles) keep that
format's layout.
"""
