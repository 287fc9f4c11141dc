"""Rendering: jinja2 mail templates, the sandboxed canned-answer engine, HTML sanitising."""
