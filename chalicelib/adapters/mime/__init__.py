"""Where a mail is parsed: stdlib email with charset repair and safe attachment names."""
