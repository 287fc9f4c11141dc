"""A mail arrives: ingest (ticket, reply or quarantine), acknowledgement, quarantine release."""
