"""The OpenAPI 3 description of /api (tests hold it against app.routes, so the two cannot drift)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

TS = {"type": "string", "format": "date-time", "nullable": True}
STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
_BOARD_LINE: dict[str, Schema] = {
    "waiting": {"type": "integer", "description": "tickets waiting on an agent (new, open)"},
    "unassigned": {"type": "integer", "description": "of those, assigned to nobody"},
    "at_risk": {"type": "integer", "description": "of those, with an SLA deadline at risk"},
    "breached": {"type": "integer", "description": "of those, with an SLA deadline missed"},
    "pending": {"type": "integer", "description": "tickets waiting on the customer"},
    "unsolved": {"type": "integer", "description": "waiting and pending together"},
    "oldest_waiting_since": TS,
    "oldest_wait_seconds": {"type": "integer", "nullable": True},
    "oldest_ticket": {"type": "integer", "nullable": True, "description": "who waits longest"},
}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


_MATRIX = {
    "type": "array",
    "items": array(INT),
    "description": "7 desk-local weekdays (Monday first) × 24 hours",
}


def _board_line(required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    schema = obj(required, **properties)
    schema["properties"] |= _BOARD_LINE
    return schema


SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        ("error", "message"),
        error=enum(
            "invalid_input",
            "unauthorized",
            "forbidden",
            "not_found",
            "conflict",
            "too_large",
            "unavailable",
        ),
        message=STR,
        field={"type": "string", "description": "the field at fault (400)"},
        current={"type": "object", "description": "the state that won (409)"},
    ),
    "Party": obj(("email",), email=STR, name=STR),
    "Ticket": obj(
        ("number", "status", "priority", "queue", "requester", "subject", "version"),
        number=INT,
        tag=STR,
        status=enum("new", "open", "pending", "solved", "closed"),
        priority=enum("low", "normal", "high", "urgent"),
        queue=STR,
        assignee={"type": "string", "nullable": True},
        requester=ref("Party"),
        reply_to={"type": "string", "nullable": True},
        cc=array(STR),
        subject=STR,
        language=STR,
        version=INT,
        created_at=TS,
        updated_at=TS,
        first_response_due=TS,
        first_responded_at=TS,
        next_response_due=TS,
        response_due={**TS, "description": "the deadline being worked against now"},
        resolution_due=TS,
        customer_waiting_since=TS,
        sla_state=enum("ok", "at_risk", "breached"),
        solved_at=TS,
        spam=BOOL,
        survey={
            "type": "object",
            "nullable": True,
            "properties": {
                "stage": STR,
                "send_at": TS,
                "sent_at": TS,
                "answer": {"type": "string", "nullable": True, "enum": ["yes", "no", None]},
                "answered_at": TS,
            },
        },
    ),
    "Attachment": obj(
        filename=STR,
        content_type=STR,
        size=INT,
        inline=BOOL,
        content_id={"type": "string", "nullable": True},
        url={"type": "string", "nullable": True, "description": "presigned GET, 5 minutes"},
        skipped={"type": "string", "nullable": True},
    ),
    "Message": obj(
        ("id", "kind", "created_at"),
        id=STR,
        kind=enum("inbound", "outbound", "note", "auto"),
        author=ref("Party"),
        created_at=TS,
        subject=STR,
        text=STR,
        quoted=STR,
        html={
            "type": "string",
            "nullable": True,
            "description": "sanitised; remote images only in data-remote-src",
        },
        to=array(STR),
        cc=array(STR),
        attachments=array(ref("Attachment")),
        raw_url={"type": "string", "nullable": True, "description": "the .eml (inbound)"},
        flags=array(STR),
    ),
    "Event": obj(at=TS, kind=STR, actor=STR, data={"type": "object"}),
    "TicketDetail": obj(
        ("ticket", "thread", "events"),
        ticket=ref("Ticket"),
        thread=array(ref("Message")),
        events=array(ref("Event")),
    ),
    "TicketPage": obj(
        ("tickets",), tickets=array(ref("Ticket")), cursor={"type": "string", "nullable": True}
    ),
    "ReplyResult": obj(("ticket", "message"), ticket=ref("Ticket"), message=ref("Message")),
    "NoteResult": obj(("message",), message=ref("Message")),
    "Queue": _board_line(name=STR, address=STR),
    "Queues": obj(("queues",), queues=array(ref("Queue"))),
    "BoardQueue": _board_line(("queue", "waiting"), queue=STR, address=STR),
    "BoardAgent": obj(
        ("agent", "open", "waiting"),
        agent=STR,
        name={"type": "string", "description": "from the agent directory; empty if not there"},
        open={"type": "integer", "description": "unsolved tickets assigned to the agent"},
        waiting={"type": "integer", "description": "of those, waiting on an agent (new, open)"},
    ),
    "Board": obj(
        ("at", "queues", "agents", "totals", "reads"),
        at=TS,
        queues=array(ref("BoardQueue")),
        agents=array(ref("BoardAgent")),
        totals=_board_line(),
        reads=obj(queries={"type": "integer", "description": "DynamoDB Queries this answer took"}),
    ),
    "Template": obj(
        ("id", "name", "language", "body", "version"),
        id=STR,
        name=STR,
        language=enum("en", "fi", "sv", "pl", "fa", "da"),
        body=STR,
        active=BOOL,
        version=INT,
        created_at=TS,
        created_by=STR,
        updated_at=TS,
        updated_by=STR,
        retired_at=TS,
        feedback=obj(helpful=INT, not_helpful=INT),
    ),
    "Feedback": obj(agent=STR, helpful=BOOL, comment=STR, at=TS),
    "TemplateDetail": {
        "allOf": [ref("Template"), obj(recent_feedback=array(ref("Feedback")))],
    },
    "Templates": obj(("templates",), templates=array(ref("Template"))),
    "Rendered": obj(("text",), template_id=STR, ticket=INT, text=STR),
    "HeldMail": obj(
        mail_id=STR,
        received_at=TS,
        reason=STR,
        sender=STR,
        subject=STR,
        recipients=array(STR),
        status=enum("held", "released", "spam"),
        ticket={"type": "integer", "nullable": True},
        claims_ticket={"type": "integer", "nullable": True},
        decided_by={"type": "string", "nullable": True},
        decided_at=TS,
    ),
    "HeldPage": obj(
        ("mail",), mail=array(ref("HeldMail")), cursor={"type": "string", "nullable": True}
    ),
    "Agent": obj(
        ("id", "name", "email", "role"),
        id=STR,
        name=STR,
        email=STR,
        title=STR,
        role=enum("agent", "admin"),
        queues=array(STR),
        languages=array(STR),
        active=BOOL,
    ),
    "Agents": obj(("agents",), agents=array(ref("Agent"))),
    "Token": obj(("id",), id=STR, label=STR, created_at=TS, revoked_at=TS),
    "IssuedToken": {
        "allOf": [ref("Token"), obj(("token",), token={"type": "string", "description": "once"})]
    },
    "Tokens": obj(("tokens",), tokens=array(ref("Token"))),
    "CsatTally": obj(
        ("answers", "yes", "no", "rate"),
        answers=INT,
        yes=INT,
        no=INT,
        rate={"type": "number", "nullable": True, "description": "yes / answers; null if none"},
    ),
    "Durations": obj(
        ("count", "median", "p90", "mean"),
        count={"type": "integer", "description": "samples"},
        median={"type": "number", "nullable": True, "description": "seconds (within 3.9 %)"},
        p90={"type": "number", "nullable": True, "description": "seconds (within 3.9 %)"},
        mean={"type": "number", "nullable": True, "description": "seconds"},
    ),
    "DurationPair": obj(
        ("calendar", "business"), calendar=ref("Durations"), business=ref("Durations")
    ),
    "SlaFigures": obj(
        ("count", "met", "missed", "late", "compliance"),
        count={"type": "integer", "description": "met + missed"},
        met=INT,
        missed=INT,
        late=INT,
        compliance={"type": "number", "nullable": True, "description": "met / (met + missed)"},
    ),
    "ReportTotals": obj(
        ("created", "solved", "reopened", "closed", "replies_sent", "mails_received"),
        created=INT,
        solved=INT,
        reopened=INT,
        closed=INT,
        replies_sent=INT,
        mails_received=INT,
        first_response=ref("DurationPair"),
        next_response=ref("DurationPair"),
        reply_wait=ref("DurationPair"),
        resolution=ref("DurationPair"),
        sla=obj(
            first_response=ref("SlaFigures"),
            next_response=ref("SlaFigures"),
            resolution=ref("SlaFigures"),
        ),
        promise=obj(count=INT, kept=INT, broken=INT),
        csat=obj(
            answers=INT, yes=INT, no=INT, rate={"type": "number", "nullable": True}, comments=INT
        ),
        backlog_end={
            "type": "integer",
            "nullable": True,
            "description": "unsolved tickets at the period's end; null filtered by priority, "
            "or by queue and agent together",
        },
    ),
    "ReportReads": obj(queries=INT, items=INT, written=INT),
    "SummaryReport": obj(
        ("from", "to", "timezone", "group", "totals", "series", "previous"),
        to={"type": "string", "format": "date"},
        timezone=STR,
        group=enum("day", "week", "month"),
        filters=obj(queue=STR, agent=STR, priority=STR),
        totals=ref("ReportTotals"),
        series=array(
            {
                "allOf": [
                    obj(("period", "start", "end"), period=STR, start=STR, end=STR),
                    ref("ReportTotals"),
                ]
            }
        ),
        previous=obj(("from", "to", "totals"), to=STR, totals=ref("ReportTotals"), **{"from": STR}),
        traffic=obj(("in", "out"), **{"in": _MATRIX, "out": _MATRIX}),
        languages={"type": "object", "additionalProperties": INT},
        addresses={"type": "object", "additionalProperties": INT},
        reads=ref("ReportReads"),
        **{"from": {"type": "string", "format": "date"}},
    ),
    "AgentReportRow": obj(
        ("agent", "replies", "solved"),
        agent=STR,
        name=STR,
        replies=INT,
        solved=INT,
        first_response=ref("DurationPair"),
        csat=ref("CsatTally"),
        open_now=INT,
        waiting_now=INT,
    ),
    "AgentReport": obj(
        ("from", "to", "agents"),
        to=STR,
        agents=array(ref("AgentReportRow")),
        reads=ref("ReportReads"),
        **{"from": STR},
    ),
    "MailRow": obj(
        ("at", "direction", "ticket"),
        at={"type": "string", "format": "date-time", "description": "in the desk's time zone"},
        direction=enum("in", "out", "auto"),
        ticket=INT,
        queue=STR,
        agent={"type": "string", "nullable": True, "description": "the ticket's assignee then"},
        subject=STR,
        to=array(STR),
        **{"from": STR},
    ),
    "DayMail": obj(
        ("from", "to", "mails", "next"),
        to={"type": "string", "format": "date"},
        mails=array(ref("MailRow")),
        next={"type": "string", "nullable": True},
        **{"from": {"type": "string", "format": "date"}},
    ),
    "CsatReport": {
        "allOf": [
            ref("CsatTally"),
            obj(
                ("from", "to", "by_queue", "by_agent"),
                to=TS,
                queue={"type": "string", "nullable": True},
                agent={"type": "string", "nullable": True},
                by_queue={"type": "object", "additionalProperties": ref("CsatTally")},
                by_agent={"type": "object", "additionalProperties": ref("CsatTally")},
                **{"from": TS},
            ),
        ]
    },
}

_ERRORS = {
    400: "Invalid JSON or field (the body names the field)",
    401: "No token, or an unknown or revoked one",
    403: "The agent's role may not do this",
    404: "No such resource",
    409: "A conflict: stale version or a state that forbids it (with the current state)",
    413: "Request body too large",
    422: "SES refused the mail (its reason in the message): sending it again will not help",
}


def error(code: int) -> Schema:
    return {
        "description": _ERRORS[code],
        "content": {"application/json": {"schema": ref("Error")}},
    }


def _ok(schema: str, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


def op(
    summary: str,
    tag: str,
    ok: tuple[int, str],
    *,
    params: list[Schema] | None = None,
    body: Schema | None = None,
    errors: tuple[int, ...] = (),
) -> Schema:
    codes = sorted({401, *errors, *((400, 413) if body else ())})
    operation: Schema = {
        "summary": summary,
        "tags": [tag],
        "parameters": params or [],
        "responses": {str(ok[0]): _ok(ok[1], summary), **{str(c): error(c) for c in codes}},
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    return operation


def path_param(name: str, schema: Schema | None = None) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema or STR}


def header(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": schema,
        "description": description,
    }


def query(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }
