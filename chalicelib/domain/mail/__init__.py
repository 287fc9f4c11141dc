"""A mail as data: addresses, threading, quotes, loops, language, dates, delivery records."""
