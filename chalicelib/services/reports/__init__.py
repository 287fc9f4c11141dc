"""Reports for the manager's desk: the summary over a period and the per-agent report."""
