"""Did we solve your problem: planning, sending, answers, auto-close, the CSAT report."""
