"""Benchmarks: figures printed and written as JSON, never asserted (see bench.py)."""
