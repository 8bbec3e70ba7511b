"""The privnet.aws benchmark harness (bench/run.py is the entry point)."""
