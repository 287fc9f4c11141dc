"""The agent UI: one page, its scripts and styles and vendored libraries, public and data-free."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.config import TEMPLATES_DIR

bp = Blueprint(__name__)

UI_DIR = TEMPLATES_DIR / "ui"
VENDOR_DIR = UI_DIR / "vendor"
_ASSET_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}\.(js|css)$")
_VENDOR_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}(\.[a-z0-9]{1,10}){0,3}\.(js|css)$")
_CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
}


def content_security_policy(aws_endpoint: str | None = None) -> str:
    """No inline script, nothing loaded, framed or posted elsewhere; srcdoc frames inherit it.

    Mail HTML shows in sandboxed srcdoc iframes, which need no frame-src (default-src 'none'
    refuses every other frame), under a tighter policy of their own (templates/ui/mail.js).
    Images: presigned S3 links are https, and so are the remote images the agent asks to see
    (until asked, they sit in `data-remote-src`, where no browser loads them). Against a local
    AWS endpoint over plain http (the local stack) presigned links are http, so http is allowed.
    """
    images = "'self' data: https:" + (" http:" if (aws_endpoint or "").startswith("http:") else "")
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",  # mail HTML styles its elements with attributes
            f"img-src {images}",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        )
    )


def security_headers(aws_endpoint: str | None = None) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(aws_endpoint),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-cache",
    }


@cache
def asset_names() -> frozenset[str]:
    return frozenset(p.name for p in UI_DIR.iterdir() if _ASSET_NAME.match(p.name))


@cache
def vendor_names() -> frozenset[str]:
    """Third-party files copied as published (templates/ui/vendor/README.md names each)."""
    return frozenset(p.name for p in VENDOR_DIR.iterdir() if _VENDOR_NAME.match(p.name))


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _serve(path: Path) -> Response:
    headers: dict[str, str | list[str]] = {
        **security_headers(bootstrap.container().settings.endpoint_url),
        "Content-Type": _CONTENT_TYPES[path.suffix.removeprefix(".")],
    }
    return Response(body=_read(path), status_code=200, headers=headers)


def _not_found() -> Response:
    return Response(
        body="not found",
        status_code=404,
        headers={"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"},
    )


@bp.route("/", methods=["GET"])
def index() -> Response:
    return _serve(UI_DIR / "index.html")


@bp.route("/ui/{asset}", methods=["GET"])
def ui_asset(asset: str) -> Response:
    return _serve(UI_DIR / asset) if asset in asset_names() else _not_found()


@bp.route("/ui/vendor/{asset}", methods=["GET"])
def vendor_asset(asset: str) -> Response:
    return _serve(VENDOR_DIR / asset) if asset in vendor_names() else _not_found()
