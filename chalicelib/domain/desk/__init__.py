"""What agents work with: agents and tokens, canned answers, reply drafts, reply keys."""
