"""The local stack: embedded AWS (moto), SMTP in, clock and outbox. Never deployed."""
