"""`python -m local`: the whole helpdesk on this machine (see README, "Run it on your machine")."""

from __future__ import annotations

from local.cli import main

raise SystemExit(main())
