"""What a person needs once the stack is up: where everything is, and two things to try."""

from __future__ import annotations

from local.settings import LocalSettings
from local.stack import Running


def banner(settings: LocalSettings, running: Running, seconds: float) -> str:
    s = settings
    api = f"http://{s.host}:{s.api_port}"
    recipients = ", ".join(running.recipients) or "nobody (no active receipt rule)"
    return f"""
Helpdesk running on this machine (started in {seconds:.1f} s; state in memory; Ctrl-C stops it)
  API and UI    {api}
  SMTP in       {s.host}:{s.smtp_port}   accepts {recipients}
  embedded AWS  http://{s.host}:{s.aws_port}   (moto; AWS_ENDPOINT_URL of the app)
  outbox        {api}/local/outbox?format=html   (JSON: {api}/local/outbox)
  clock         {api}/local/clock   (move it: make clock ADVANCE=3d)
  admin token   {running.token}
                (also in {s.token_file}; send it as Authorization: Bearer <token>)

Try:
  swaks --server {s.host}:{s.smtp_port} --to support@example.com --from you@example.org \\
      --header "Subject: Hello" --body "Hi"
  open {api}
"""
