"""The benchmark's modules; tools/bench/run.py says what it measures."""
