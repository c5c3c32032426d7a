"""The ``webhook`` action: POSTs the firing as JSON to ``url``.

The body carries ``text`` (so that Slack, Mattermost, Teams and other
"incoming webhook" receivers show a message as is) plus every field of the
firing for receivers that want structure. A failed request (a network error,
a timeout, a 5xx or 429 answer) is retried with exponential backoff within the
run; a 4xx answer is not, as sending the same body again would fail the same
way. Only the standard library is used.

The URL of a chat webhook is a secret (anyone holding it can post): it never
appears in an error message. Redirects are not followed: a redirect to
another host, or to ``ftp://``, would get round the http(s)-only rule and
send the firing where the configuration does not say; a 3xx answer is a
failed delivery whose message gives the status, never the target URL.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from kpirules.display import cut, shown
from kpirules.errors import ActionError
from kpirules.plugin_api import (
    ActionType,
    Digest,
    Firing,
    SettingsError,
    check_type,
    positive_number,
    secret_source,
)

if TYPE_CHECKING:
    import urllib.request

USER_AGENT = "kpirules-webhook"
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")  # an RFC 9110 token
_BAD_HEADER_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def check_url(url: str) -> None:
    """Raise :class:`SettingsError` unless ``url`` is a well-formed http(s) URL.

    Parsed only, never resolved or contacted. The URL may hold a secret, so a
    message never quotes it.
    """
    if not url.startswith(("http://", "https://")):
        raise SettingsError("url", "must start with http:// or https://")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise SettingsError("url", f"must not contain spaces or control characters"
                                   f"{secret_source(url)} (encode a space as %20; a trailing "
                                   f"newline of a secrets file?)")
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL": an unclosed [
        raise SettingsError("url", "is not a valid URL (an unclosed [ in the host?)") from None
    try:
        host = parts.hostname
    except ValueError:
        host = None
    if not host:
        raise SettingsError("url", "has no host name (write http(s)://HOST/PATH)")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number from 0 to 65535)
    except ValueError:
        raise SettingsError("url", "has an invalid port (a number from 1 to 65535)") from None
    if parts.port == 0:
        raise SettingsError("url", "has an invalid port (a number from 1 to 65535)")


def check_header(name: str, value: str) -> None:
    """Raise :class:`SettingsError` unless ``name: value`` can be sent as an HTTP header.

    A value with a line break (a secret read from a file with its trailing
    newline) cannot: ``http.client`` would refuse it at every delivery and
    quote it in its error. The message names the header and the environment
    variable, never the value.
    """
    if not _HEADER_NAME.fullmatch(name):
        raise SettingsError("headers", f"{shown(name)} is not a header name (letters, digits "
                                       f"and - only)")
    if _BAD_HEADER_VALUE.search(value):
        raise SettingsError("headers", f'the value of "{name}"{secret_source(value)} holds a line '
                                       f"break or a control character, which a header cannot "
                                       f"carry (a trailing newline of a secrets file?)")


@cache
def _opener() -> urllib.request.OpenerDirector:
    """An opener that turns every redirect into the 3xx error it answered (see the module
    docstring). Made at the first delivery: urllib.request brings HTTP, TLS and mail
    modules that loading the built-in actions (``kpirules plugins``, ``run``) need not pay."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                             headers: Any, newurl: str) -> None:
            return None

    return urllib.request.build_opener(NoRedirect)


class WebhookAction(ActionType):
    """POSTs ``{"text": …, firing fields…}`` to ``url``."""

    name = "webhook"
    description = "POSTs the firing as JSON (with a Slack-compatible text) to url"
    required = ("url",)
    optional = ("timeout", "retries", "backoff", "headers")
    settings_help: ClassVar[Mapping[str, str]] = {
        "url": "an http(s) URL, e.g. \"${SLACK_WEBHOOK_URL}\"",
        "timeout": "seconds per attempt, default 10",
        "retries": "attempts after the first on a 5xx or a network error, default 3",
        "backoff": "seconds before the first retry, doubled at each one, default 1",
        "headers": "a table of header names to values (\"Bearer ${TOKEN}\"); default: none",
    }

    #: how to wait between attempts; tests replace it to run fast
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def validate(self, settings: Mapping[str, Any]) -> None:
        """An http(s) URL, sane numbers, and headers as a table of strings."""
        super().validate(settings)
        check_type(settings, "url", str, "an http(s) URL")
        check_url(settings["url"])
        positive_number(settings, "timeout", 10)
        positive_number(settings, "backoff", 1)
        retries = settings.get("retries", 3)
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise SettingsError("retries", "must be a whole number >= 0")
        check_type(settings, "headers", dict, "a table of header names to values")
        for name, value in dict(settings.get("headers") or {}).items():
            if not isinstance(value, str):
                raise SettingsError("headers", "values must be strings")
            check_header(str(name), value)

    def deliver_digest(self, digest: Digest, settings: Mapping[str, Any]) -> None:
        """POST the digest: a Slack-compatible payload with one block per firing."""
        self.deliver(digest, settings)

    def deliver(self, firing: Firing | Digest, settings: Mapping[str, Any]) -> None:
        """POST the firing (or digest), retrying up to ``retries`` times; raise when all fail."""
        url = str(settings["url"])
        timeout = positive_number(settings, "timeout", 10)
        backoff = positive_number(settings, "backoff", 1)
        retries = int(settings.get("retries", 3))
        body = json.dumps(firing.to_dict(), ensure_ascii=False, default=str).encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   **{str(k): str(v) for k, v in dict(settings.get("headers") or {}).items()}}
        import urllib.error
        import urllib.request

        problem = ""
        for attempt in range(retries + 1):
            if attempt:
                self.sleep(backoff * 2 ** (attempt - 1))
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            try:
                with _opener().open(request, timeout=timeout) as response:
                    response.read()
                return
            except urllib.error.HTTPError as exc:
                problem = f"the receiver answered HTTP {exc.code} {cut(str(exc.reason))}"
                if 300 <= exc.code < 400:
                    problem += (", a redirect, which a webhook does not follow (configure the "
                                "URL it redirects to)")
                if exc.code < 500 and exc.code != 429:
                    break
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                problem = f"cannot reach the receiver ({type(reason).__name__}: {reason})"
        tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
        raise ActionError(f"webhook not delivered after {tries}: {problem}")
