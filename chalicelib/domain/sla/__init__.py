"""SLA maths: business time and holidays, policies and targets, plans, schedules, firings."""
