"""The project's exception hierarchy; callers catch the base, the edge maps to HTTP codes.

HelpdeskError
 ├── NotFound            a ticket, agent or entry does not exist
 ├── Conflict            a stale version or a state that forbids the action
 ├── InvalidInput        a field is missing or malformed (names the field)
 ├── Forbidden           the caller's role may not do this
 └── StorageError        an AWS call failed (adapters raise it `from` the ClientError)
     └── MailRejected    SES refused a message we tried to send
"""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base of every error the helpdesk raises on purpose."""


class NotFound(HelpdeskError):
    pass


class Conflict(HelpdeskError):
    pass


class InvalidInput(HelpdeskError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class Forbidden(HelpdeskError):
    pass


class StorageError(HelpdeskError):
    pass


class MailRejected(StorageError):
    pass
