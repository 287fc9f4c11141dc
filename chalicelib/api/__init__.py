"""HTTP edge: blueprints that translate requests to service calls and results to JSON."""
