"""SPEC §7 speed and memory figures beside their targets: ``make bench`` (``python -m benchmarks``).

The machine is shared and noisy, so every render figure is a ratio against WeasyPrint's own work on
the very HTML docgen produced, measured in the same run; times are medians of repeated, interleaved
runs. Nothing here is a test: ``tests/test_benchmarks_smoke.py`` only runs it at ``--quick`` size
so that it cannot rot.

Modules: :mod:`benchmarks._data` (a private workspace and generated deals),
:mod:`benchmarks._measure` (timing, peak memory, the WeasyPrint floor) and
:mod:`benchmarks.figures` (one function per figure).
"""
