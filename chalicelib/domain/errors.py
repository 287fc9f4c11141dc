"""The project's exception hierarchy; callers catch the base, the edge maps to HTTP codes.

HelpdeskError
 ├── NotFound            a ticket, agent or entry does not exist
 ├── Conflict            a stale version or a state that forbids the action
 ├── InvalidInput        a field is missing or malformed (names the field)
 ├── Forbidden           the caller's role may not do this
 ├── Unauthorized        no credentials, or credentials we do not know
 ├── TooLarge            a request body over the limit
 └── StorageError        an AWS call failed (adapters raise it `from` the ClientError)
     └── MailRejected    SES refused a message we tried to send
"""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base of every error the helpdesk raises on purpose."""


class NotFound(HelpdeskError):
    pass


class Conflict(HelpdeskError):
    def __init__(self, message: str, current: object | None = None) -> None:
        super().__init__(message)
        self.current = current  # the state that won, for the caller to show


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


class TooLarge(HelpdeskError):
    pass


class Unauthorized(HelpdeskError):
    pass
