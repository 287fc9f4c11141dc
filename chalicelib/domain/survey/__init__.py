"""The satisfaction survey: its stages and rules, signed link tokens, CSAT records."""
