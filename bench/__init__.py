"""Benchmarks with their stated targets: `python -m bench` (or `make bench`) prints the table."""
