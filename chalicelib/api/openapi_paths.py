"""The operations of /api, path by path (schemas and helpers in openapi_spec)."""

from __future__ import annotations

from chalicelib.api.openapi_spec import (
    BOOL,
    INT,
    STR,
    Schema,
    array,
    enum,
    error,
    header,
    obj,
    op,
    path_param,
    query,
    ref,
)

_NUMBER = path_param("number", {"type": "integer", "minimum": 1})
_TEMPLATE = path_param("template_id")
_MAIL = path_param("mail_id")
_AGENT = path_param("agent_id")
_PAGE = [
    query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "page size"),
    query("cursor", STR, "the `cursor` of the previous page (opaque)"),
]
_STATUS = enum("pending", "open", "solved")

_REPLY = op(
    "Reply to the customer by email",
    "tickets",
    (201, "ReplyResult"),
    params=[
        _NUMBER,
        header(
            "Idempotency-Key",
            {"type": "string", "minLength": 1, "maxLength": 255},
            "one per reply (e.g. a UUID): a repeated request never mails the customer twice; "
            "the same key with a different reply is a 400",
        ),
    ],
    body=obj(
        body={"type": "string", "description": "plain text; may be empty with template_id"},
        cc={"type": "array", "items": STR, "maxItems": 10},
        template_id=STR,
        status=_STATUS,
    ),
    errors=(404, 409, 422),
)
_REPLY["responses"]["200"] = {
    "description": "A repeat of an earlier request with the same Idempotency-Key: the reply "
    "made then, nothing sent again (header Idempotent-Replayed: true)",
    "content": {"application/json": {"schema": ref("ReplyResult")}},
}

_REPORT_PERIOD = [
    query("from", {"type": "string", "format": "date"}, "desk-local date; default 30 days to `to`"),
    query("to", {"type": "string", "format": "date"}, "desk-local date, included; default today"),
]
_REPORT_FORMAT = query("format", enum("json", "csv"), "csv: one row per period or agent")


def _with_csv(operation: Schema) -> Schema:
    """The report's 200 may also be CSV (a download), its JSON flattened into columns."""
    operation["responses"]["200"]["content"]["text/csv"] = {"schema": STR}
    return operation


_ACTION_KEY = header(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255},
    "one per request (e.g. a UUID): a repeated request acts once and answers 200 with "
    "Idempotent-Replayed: true; the same key with a different request is a 400",
)


def _keyed(operation: Schema, result: str, answer: str) -> Schema:
    """An action that takes an Idempotency-Key, and the 200 its repeat answers with."""
    operation["parameters"].append(_ACTION_KEY)
    repeat = f"a repeat with the same Idempotency-Key: {answer}, nothing done again (header "
    repeat += "Idempotent-Replayed: true)"
    done = operation["responses"].get("200")
    if done is not None:  # the action's own answer is a 200 too
        done["description"] += f"; or {repeat}"
        return operation
    operation["responses"]["200"] = {
        "description": repeat[0].upper() + repeat[1:],
        "content": {"application/json": {"schema": ref(result)}},
    }
    return operation


TICKETS: dict[str, dict[str, Schema]] = {
    "/api/tickets": {
        "get": op(
            "List tickets, what needs doing first",
            "tickets",
            (200, "TicketPage"),
            params=[
                query("view", enum("mine", "unassigned", "all", "at_risk", "breached"), "which"),
                query("queue", STR, "one queue"),
                query(
                    "status",
                    enum("todo", "new", "open", "pending", "solved", "closed"),
                    "status group (todo = new and open; the default)",
                ),
                query("requester", STR, "one customer's tickets, newest first"),
                *_PAGE,
            ],
            errors=(400,),
        )
    },
    "/api/tickets/{number}": {
        "get": op(
            "A ticket with its thread and event log",
            "tickets",
            (200, "TicketDetail"),
            params=[_NUMBER],
            errors=(404,),
        ),
        "patch": op(
            "Change status, priority, queue, assignee or spam mark (optimistic locking)",
            "tickets",
            (200, "Ticket"),
            params=[_NUMBER],
            body=obj(
                ("version",),
                version=INT,
                status=enum("open", "pending", "solved", "closed"),
                priority=enum("low", "normal", "high", "urgent"),
                queue=STR,
                assignee={"type": "string", "nullable": True, "description": "null unassigns"},
                spam=BOOL,
            ),
            errors=(404, 409),
        ),
    },
    "/api/tickets/{number}/replies": {"post": _REPLY},
    "/api/tickets/{number}/notes": {
        "post": _keyed(
            op(
                "Add an internal note (never emailed)",
                "tickets",
                (201, "NoteResult"),
                params=[_NUMBER],
                body=obj(("body",), body=STR),
                errors=(404,),
            ),
            "NoteResult",
            "the note made then",
        )
    },
    "/api/tickets/{number}/take": {
        "post": _keyed(
            op(
                "Assign the ticket to me",
                "tickets",
                (200, "Ticket"),
                params=[_NUMBER],
                errors=(400, 404, 409),
            ),
            "Ticket",
            "the ticket as it is now",
        )
    },
    "/api/tickets/{number}/transfer": {
        "post": _keyed(
            op(
                "Transfer or escalate to another queue, with a note",
                "tickets",
                (200, "Ticket"),
                params=[_NUMBER],
                body=obj(("queue", "note"), queue=STR, note=STR),
                errors=(404, 409),
            ),
            "Ticket",
            "the ticket as it is now",
        )
    },
    "/api/queues": {
        "get": op("Queues with customers waiting and the oldest wait", "queues", (200, "Queues"))
    },
    "/api/reports/summary": {
        "get": _with_csv(
            op(
                "Tickets, responses, SLA, CSAT and backlog over desk-local dates, by day, "
                "ISO week or month, with the previous period of equal length",
                "tickets",
                (200, "SummaryReport"),
                params=[
                    *_REPORT_PERIOD,
                    query("group", enum("day", "week", "month"), "default day"),
                    query("queue", STR, "one queue"),
                    query("agent", STR, "one agent (id)"),
                    query("priority", enum("low", "normal", "high", "urgent"), "one priority"),
                    _REPORT_FORMAT,
                ],
                errors=(400,),
            )
        )
    },
    "/api/reports/agents": {
        "get": _with_csv(
            op(
                "Per agent: replies, solves, first response, CSAT in a period; open tickets now",
                "tickets",
                (200, "AgentReport"),
                params=[
                    *_REPORT_PERIOD,
                    query("queue", STR, "one queue"),
                    query("priority", enum("low", "normal", "high", "urgent"), "one priority"),
                    _REPORT_FORMAT,
                ],
                errors=(400,),
            )
        )
    },
    "/api/board": {
        "get": op(
            "The live board: per queue and per agent what waits now, from counters kept on "
            "every write (1 + queues + 1 Queries, whatever the backlog)",
            "queues",
            (200, "Board"),
        )
    },
    "/api/reports/mail": {
        "get": op(
            "A day's mail: every mail in and out on desk-local days, oldest first; one Query a "
            "page, and a page never spans two days (it may be short, or empty, with `next` set)",
            "tickets",
            (200, "DayMail"),
            params=[
                {
                    **query("date", {"type": "string", "format": "date"}, "the first day"),
                    "required": True,
                },
                query("to", {"type": "string", "format": "date"}, "the last day (included)"),
                query("direction", enum("in", "out", "auto"), "only this direction [filter]"),
                query("queue", STR, "only mail of this queue's tickets [filter]"),
                query("agent", STR, "only mail of tickets assigned to this agent [filter]"),
                query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                    "rows read per page (filters may return fewer)",
                ),
                query("cursor", STR, "the `next` of the previous page (CSV: X-Next-Cursor)"),
                query("format", enum("json", "csv"), "csv: the same page as text/csv"),
            ],
            errors=(400,),
        )
    },
    "/api/reports/csat": {
        "get": op(
            "Customer satisfaction: survey answers Yes/No over a period, by queue and agent",
            "tickets",
            (200, "CsatReport"),
            params=[
                query("from", STR, "a date (whole day) or ISO time; default 30 days before `to`"),
                query("to", STR, "a date (included) or ISO time (excluded); default now"),
                query("queue", STR, "only answers on this queue's tickets"),
                query("agent", STR, "only answers about this agent's solves (agent id)"),
            ],
            errors=(400,),
        )
    },
}

TEMPLATES: dict[str, dict[str, Schema]] = {
    "/api/templates": {
        "get": op(
            "List canned templates",
            "templates",
            (200, "Templates"),
            params=[
                query("language", enum("en", "fi", "sv", "pl", "fa", "da"), "one language"),
                query("include_retired", BOOL, "also retired ones"),
            ],
            errors=(400,),
        ),
        "post": op(
            "Create a template (admin)",
            "templates",
            (201, "Template"),
            body=obj(("name", "language", "body"), name=STR, language=STR, body=STR),
            errors=(403,),
        ),
    },
    "/api/templates/{template_id}": {
        "get": op(
            "A template with recent feedback",
            "templates",
            (200, "TemplateDetail"),
            params=[_TEMPLATE],
            errors=(404,),
        ),
        "patch": op(
            "Edit a template (admin)",
            "templates",
            (200, "Template"),
            params=[_TEMPLATE],
            body=obj(name=STR, language=STR, body=STR, version=INT),
            errors=(403, 404, 409),
        ),
        "delete": op(
            "Retire a template (admin); it is kept for history",
            "templates",
            (200, "Template"),
            params=[_TEMPLATE],
            errors=(403, 404),
        ),
    },
    "/api/templates/{template_id}/render": {
        "post": op(
            "Preview a template for a ticket",
            "templates",
            (200, "Rendered"),
            params=[_TEMPLATE],
            body=obj(("ticket",), ticket=INT),
            errors=(404,),
        )
    },
    "/api/templates/{template_id}/feedback": {
        "post": op(
            "Say whether a template helped (one vote per agent, the latest counts)",
            "templates",
            (201, "Template"),
            params=[_TEMPLATE],
            body=obj(("helpful",), helpful=BOOL, comment=STR),
            errors=(404, 409),
        )
    },
}

QUARANTINE: dict[str, dict[str, Schema]] = {
    "/api/quarantine": {
        "get": op(
            "Held mail, newest first", "quarantine", (200, "HeldPage"), params=_PAGE, errors=(400,)
        )
    },
    "/api/quarantine/{mail_id}/release": {
        "post": op(
            "Release held mail into a new ticket (no acknowledgement is sent)",
            "quarantine",
            (200, "HeldMail"),
            params=[_MAIL],
            errors=(404, 409),
        )
    },
    "/api/quarantine/{mail_id}/append": {
        "post": op(
            "Append a held reply, whose sender was not authenticated, to the ticket it claims",
            "quarantine",
            (200, "HeldMail"),
            params=[_MAIL],
            errors=(404, 409),
        )
    },
    "/api/quarantine/{mail_id}/spam": {
        "post": op(
            "Confirm held mail as spam (kept, not deleted)",
            "quarantine",
            (200, "HeldMail"),
            params=[_MAIL],
            errors=(404, 409),
        )
    },
}

AGENTS: dict[str, dict[str, Schema]] = {
    "/api/me": {"get": op("The signed-in agent", "agents", (200, "Agent"))},
    "/api/agents": {
        "get": op("List agents", "agents", (200, "Agents")),
        "post": op(
            "Create an agent (admin)",
            "agents",
            (201, "Agent"),
            body=obj(
                ("email", "name"),
                email=STR,
                name=STR,
                role=enum("agent", "admin"),
                title=STR,
                queues=array(STR),
                languages=array(STR),
            ),
            errors=(403, 409),
        ),
    },
    "/api/agents/{agent_id}": {
        "get": op("An agent", "agents", (200, "Agent"), params=[_AGENT], errors=(404,)),
        "patch": op(
            "Change an agent (admin)",
            "agents",
            (200, "Agent"),
            params=[_AGENT],
            body=obj(
                name=STR,
                title=STR,
                role=enum("agent", "admin"),
                queues=array(STR),
                languages=array(STR),
                active=BOOL,
            ),
            errors=(403, 404),
        ),
    },
    "/api/agents/{agent_id}/tokens": {
        "get": op(
            "An agent's tokens (admin)",
            "agents",
            (200, "Tokens"),
            params=[_AGENT],
            errors=(403, 404),
        ),
        "post": op(
            "Issue a token (admin); the secret is shown once",
            "agents",
            (201, "IssuedToken"),
            params=[_AGENT],
            body=obj(label=STR),
            errors=(403, 404),
        ),
    },
    "/api/agents/{agent_id}/tokens/{token_id}": {
        "delete": op(
            "Revoke a token (admin)",
            "agents",
            (200, "Token"),
            params=[_AGENT, path_param("token_id")],
            errors=(403, 404),
        )
    },
    "/api/openapi.json": {
        "get": {
            "summary": "This document",
            "tags": ["meta"],
            "parameters": [],
            "responses": {
                "200": {
                    "description": "OpenAPI 3 document",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "401": error(401),
            },
        }
    },
}
