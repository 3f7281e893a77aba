"""index.php?title=Special:RunJobs — the signed job-runner endpoint of SpecialRunJobs.php.

Test harnesses call it to wait for deferred work: Wikimedia's ``api-testing`` library runs
``wiki.runAllJobs()`` after every edit and group change (``action.mindy()``,
``Client.edit()``), posting ``title, tasks, maxjobs, maxtime, async='', stats=1, sigexpiry``
plus ``signature`` = HMAC-SHA1 of the other parameters (sorted by name, form-encoded) keyed
with the site's ``$wgSecretKey``; it loops until ``reached`` is ``none-ready``.

wikigate has no MediaWiki job queue: page, link and rights writes are finished before the
response. Its one piece of deferred work is the mail outbox (deferred reset mails, retries),
so a verified call waits for deferred mail work and delivers what is due, then answers in
JobRunner::run's shape. Mail deliveries are not listed as jobs: each keeps its own outcome in
the outbox (``wikigate mail list``).

Checks and error texts follow SpecialRunJobs: POST only (400), the four required
parameters (400 naming the missing ones), a valid unexpired signature (400), read-only
mode (423). The key is the site secret in effect (``[site] secret_key``, or the one generated
into the database at first start when none is configured), used as MediaWiki uses
``$wgSecretKey``: the raw HMAC key. An empty key never verifies: anybody could sign with it.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import time
from urllib.parse import quote_plus

from wikigate.http.request import Request
from wikigate.http.response import Response
from wikigate.web import WebPage

REQUIRED = ("title", "tasks", "signature", "sigexpiry")
OPTIONAL = ("maxjobs", "maxtime", "type", "async", "stats")


def _php_urlencode(value: str) -> str:
    """PHP ``urlencode``: like quote_plus, but "~" is encoded too."""
    return quote_plus(value, safe="").replace("~", "%7E")


def query_signature(params: dict[str, str], secret: str) -> str:
    """SpecialRunJobs::getQuerySignature: HMAC-SHA1 over ``wfArrayToCgi(ksort(params))``."""
    cgi = "&".join(f"{_php_urlencode(k)}={_php_urlencode(v)}" for k, v in sorted(params.items()))
    return hmac.new(secret.encode(), cgi.encode(), hashlib.sha1).hexdigest()


def http_error(status: int, label: str, text: str) -> Response:
    """wfHttpError's minimal HTML page."""
    body = (f"<!DOCTYPE html><html><head><title>{html.escape(label)}</title></head><body>"
            f"<h1>{html.escape(label)}</h1><p>{html.escape(text)}</p></body></html>")
    return Response(status=status, content_type="text/html; charset=utf-8", body=body.encode(),
                    headers=[("Cache-Control", "private, must-revalidate, max-age=0")])


def _truthy(value: str | None, default: bool) -> bool:
    """PHP truthiness of a request value ("" and "0" are false)."""
    if value is None:
        return default
    return value not in ("", "0")


class SpecialRunJobs(WebPage):
    title = "Special:RunJobs"
    authentication = "HMAC signature with the site secret (no session, no user)"

    async def handle(self, request: Request, subpage: str | None) -> Response:
        settings = self.services.settings
        if settings.site.read_only:
            return http_error(423, "Locked", "Wiki is in read-only mode.")
        if not request.was_posted:
            return http_error(400, "Bad Request", "Request must be POSTed.")
        params = {k: v for k, v in request.params.items() if k in REQUIRED or k in OPTIONAL}
        missing = [k for k in REQUIRED if k not in params]
        if missing:
            return http_error(400, "Bad Request", "Missing parameters: " + ", ".join(missing))
        signed = {k: v for k, v in params.items() if k != "signature"}
        # $wgSecretKey: the site secret in effect, configured or generated at first start
        # (wikigate's equivalent of the installer writing one into LocalSettings.php).
        secret = self.services.secret_key.decode()
        expected = query_signature(signed, secret)
        try:
            expiry = float(params["sigexpiry"])
        except ValueError:
            expiry = 0.0  # PHP compares a non-numeric string as 0: always stale
        if not secret or not hmac.compare_digest(expected, params["signature"]) \
                or expiry < self.services.clock.time():
            return http_error(400, "Bad Request", "Invalid or stale signature provided.")

        mailer = self.services.mailer
        if _truthy(params.get("async"), True):
            async def run() -> None:
                await mailer.process_due()

            mailer.after_response(run())
            return Response(status=202, content_type="text/html; charset=utf-8", body=b"")
        started = time.monotonic()
        await mailer.drain()
        stats = {"jobs": [], "reached": "none-ready", "backoffs": [],
                 "elapsed": int((time.monotonic() - started) * 1000)}
        if _truthy(params.get("stats"), False):
            return Response(content_type="application/json", body=json.dumps(stats).encode())
        return Response(content_type="text/html; charset=utf-8", body=b"Done\n")
