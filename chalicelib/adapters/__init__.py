"""Adapters: the only code that talks to AWS, MIME and templates."""
