"""Pure domain: tickets, mail, the desk, SLA maths, the survey. Standard library only."""
