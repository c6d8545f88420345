"""Benchmarks against the physical limits: ``make bench`` (``python -m bench``).

Each module measures one thing through the project's real code path and, in the same
run, the limit it is held against (the disk's fsync, a frame's time on the wire, the
bare library call). See docs/benchmarks.md for the method and bench/results.md for the
last figures.
"""
