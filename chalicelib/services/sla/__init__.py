"""The SLA clock: deadlines planned on every write, schedules synced, firings, notices."""
