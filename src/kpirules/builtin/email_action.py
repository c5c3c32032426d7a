"""The ``email`` action: one message per firing through an SMTP server.

Settings: ``host``, ``port`` (default 25, or 465 with ``ssl``), ``from``,
``to`` (one address or a list), ``starttls`` (upgrade a plain connection),
``ssl`` (implicit TLS), ``username`` and ``password`` (give them through
``${ENV}`` values), ``timeout``. The rule's ``subject`` argument, when given,
is the subject; the message is the firing's text followed by its details.

A subject is filled from the data (``subject="{channel}: …"``): a line
break in a dimension value would make every attempt fail (a header cannot
hold one) and could add headers, so each run of control characters in a
header becomes a space. The body keeps the text as it is. Settings that go
into headers or SMTP commands (``from``, ``to``, ``host``, ``username``,
``password``) may not hold a line break: a secret read with its trailing
newline is refused before anything is sent, naming its variable only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from kpirules.display import one_line
from kpirules.engine.segment import Segment
from kpirules.errors import ActionError
from kpirules.plugin_api import (
    ActionType,
    Digest,
    Firing,
    SettingsError,
    check_type,
    positive_number,
    secret_source,
    single_line,
    str_list,
)

if TYPE_CHECKING:  # smtplib, ssl and email are imported when a mail is sent, not by every command
    from email.message import EmailMessage


class EmailAction(ActionType):
    """Sends the firing as a plain-text e-mail."""

    name = "email"
    description = "sends one e-mail per firing through an SMTP server"
    required = ("host", "from", "to")
    optional = ("port", "starttls", "ssl", "username", "password", "timeout")
    settings_help: ClassVar[Mapping[str, str]] = {
        "host": "the SMTP server's host name",
        "from": "the sender's e-mail address",
        "to": "e-mail addresses (a list, or one comma-separated string)",
        "port": "a port number, default 25 (465 with ssl)",
        "starttls": "true or false, default false",
        "ssl": "true or false, default false",
        "username": "the SMTP login, with password",
        "password": "the SMTP password, written ${NAME}",
        "timeout": "seconds, default 30",
    }

    def validate(self, settings: Mapping[str, Any]) -> None:
        """Types, a port number, recipients, and username and password together."""
        super().validate(settings)
        check_type(settings, "host", str, "a host name")
        check_type(settings, "from", str, "an e-mail address")
        port = settings.get("port", 25)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise SettingsError("port", "must be a port number (1-65535)")
        for key in ("starttls", "ssl"):
            check_type(settings, key, bool, "true or false")
        if settings.get("starttls") and settings.get("ssl"):
            raise SettingsError("starttls", "use starttls or ssl, not both")
        if not str_list(settings, "to"):
            raise SettingsError("to", "give at least one address")
        for key in ("host", "from", "username", "password"):
            single_line(settings, key)
        for address in str_list(settings, "to"):
            if one_line(address, "") != address:
                raise SettingsError("to", f"an address{secret_source(settings.get('to'))} holds a line "
                                          f"break or a control character")
        if bool(settings.get("username")) != bool(settings.get("password")):
            raise SettingsError("username" if not settings.get("username") else "password",
                                "username and password go together")
        positive_number(settings, "timeout", 30)

    def message(self, firing: Firing, settings: Mapping[str, Any]) -> EmailMessage:
        """The message for ``firing``: subject, addresses and a plain-text body."""
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid

        msg = EmailMessage()
        subject = firing.args.get("subject")
        msg["Subject"] = one_line(str(subject) if subject else (
            f"[kpirules] {firing.severity}: {firing.title or firing.rule}"), " ")
        msg["From"] = str(settings["from"])
        msg["To"] = ", ".join(str_list(settings, "to"))
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain="kpirules")
        segment = Segment.of(firing.segment).assignments(", ")
        lines = [firing.text, "", f"Ruleset:  {firing.ruleset}", f"Rule:     {firing.rule}",
                 f"Severity: {firing.severity}", f"Period:   {firing.period}",
                 f"Segment:  {segment}"]
        if firing.since and firing.since != firing.period:
            lines.append(f"Firing since: {firing.since}")
        msg.set_content("\n".join(lines) + "\n")
        return msg

    def deliver(self, firing: Firing, settings: Mapping[str, Any]) -> None:
        """Send the firing's message; any SMTP or network error is raised."""
        self.send(self.message(firing, settings), settings)

    def deliver_digest(self, digest: Digest, settings: Mapping[str, Any]) -> None:
        """Send one message with every firing of the run (plain text and HTML)."""
        from kpirules.builtin.email_digest import digest_message

        self.send(digest_message(digest, settings), settings)

    def send(self, msg: EmailMessage, settings: Mapping[str, Any]) -> None:
        """Connect, log in when asked, send; any SMTP or network error is raised."""
        import smtplib
        import ssl

        host = str(settings["host"])
        use_ssl = bool(settings.get("ssl"))
        port = int(settings.get("port", 465 if use_ssl else 25))
        timeout = positive_number(settings, "timeout", 30)
        try:
            smtp: smtplib.SMTP
            if use_ssl:
                smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
            with smtp:
                if settings.get("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                if settings.get("username"):
                    smtp.login(str(settings["username"]), str(settings["password"]))
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise ActionError(f"SMTP login refused by {host}:{port} ({exc.smtp_code})") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ActionError(
                f"e-mail not sent through {host}:{port}: {type(exc).__name__}: {exc}") from None
