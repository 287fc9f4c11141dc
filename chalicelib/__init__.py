"""Serverless email helpdesk: the code Chalice deploys beside app.py."""
