"""The channels a notification travels by. A channel says whether its rows need sending, which
address of a person it uses, whether a person wants a kind by it, and sends one message.

E-mail goes through Django's e-mail framework (EMAIL_* settings, from the environment); the
inbox is the Notification row itself, delivered when written. An SMS gateway would be one more
subclass of Channel (its address from the person's record, its send() calling the gateway)
registered in CHANNELS, and one more Notification.Channel value.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from notifications.models import Notification


@dataclass
class Outgoing:
    """One message to send: a notification, or a digest of several for one person."""

    address: str
    subject: str
    body: str
    ids: list[int]


class DeliveryError(Exception):
    """A message the channel could not send. ``permanent``: trying again will not help (the
    server refused the address or the message for good, a 5xx answer). ``unreachable``: the
    server could not be reached or dropped the session, so the next message would fare no better."""

    def __init__(self, message: str, *, permanent: bool = False, unreachable: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.unreachable = unreachable


class Channel:
    name: str = ""
    delivers: bool = True  # False: the row is the delivery (the inbox)

    def address_of(self, person) -> str:
        return ""

    def wants(self, preference, kind: str) -> bool:
        return True

    def open(self) -> None:
        """Ready to send a batch (a connection to a server)."""

    def close(self) -> None:
        """Done with the batch."""

    def send(self, message: Outgoing) -> str:
        """Send one message; the channel's answer (what the server said). Raises DeliveryError."""
        raise NotImplementedError


class InboxChannel(Channel):
    name = Notification.Channel.INBOX
    delivers = False


class EmailChannel(Channel):
    """Mail through the configured EMAIL_BACKEND, over one connection per batch. With the SMTP
    backend the answer kept is the server's reply to the message ("250 2.0.0 Ok: queued as …")."""

    name = Notification.Channel.EMAIL

    def __init__(self):
        self.connection = None
        self.last_reply = None

    def address_of(self, person) -> str:
        return person.address

    def wants(self, preference, kind: str) -> bool:
        return preference is None or preference.wants_email(kind)

    def open(self) -> None:
        self.connection = get_connection(fail_silently=False)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - a broken connection is closed as far as it can be
                pass
        self.connection = None

    def _keep_reply(self) -> None:
        """Wrap the SMTP session's DATA command to keep the server's reply (smtplib's sendmail
        drops it)."""
        session = getattr(self.connection, "connection", None)
        if not isinstance(session, smtplib.SMTP) or getattr(session, "_tracker_keeps_reply", False):
            return
        data = session.data

        def data_keeping_reply(msg):
            reply = data(msg)
            self.last_reply = reply
            return reply

        session.data = data_keeping_reply
        session._tracker_keeps_reply = True

    def send(self, message: Outgoing) -> str:
        if self.connection is None:
            self.open()
        mail = EmailMessage(subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
                            to=[message.address],
                            headers={"Auto-Submitted": "auto-generated",
                                     "X-Tracker-Notification": ",".join(str(i) for i in message.ids)})
        self.last_reply = None
        try:
            if getattr(self.connection, "connection", None) is None and hasattr(self.connection, "open"):
                self.connection.open()
            self._keep_reply()
            sent = self.connection.send_messages([mail])
        except smtplib.SMTPResponseException as exc:
            self.close()  # the session may be in any state: the next message starts afresh
            raise DeliveryError(f"{exc.smtp_code} {_text(exc.smtp_error)}",
                                permanent=500 <= exc.smtp_code < 600) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _error in exc.recipients.values()]
            answer = "; ".join(f"{addr}: {code} {_text(error)}" for addr, (code, error) in exc.recipients.items())
            raise DeliveryError(answer, permanent=all(500 <= code < 600 for code in codes)) from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}", unreachable=True) from exc
        except smtplib.SMTPException as exc:
            self.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if not sent:
            raise DeliveryError("not sent")
        if self.last_reply is not None:
            code, text = self.last_reply
            return f"{code} {_text(text)}"
        return type(self.connection).__module__.rsplit(".", 1)[-1] + ": accepted"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


CHANNELS: dict[str, type[Channel]] = {
    Notification.Channel.INBOX: InboxChannel,
    Notification.Channel.EMAIL: EmailChannel,
}


def delivering_channels() -> list[str]:
    return [name for name, cls in CHANNELS.items() if cls.delivers]
