"""Pure domain: tickets, mail, threading, routing, loops, time. Standard library only."""
