"""A real SMTP server on loopback (aiosmtpd), the people around one proposal with e-mail
addresses, and helpers to read the notices written."""
from __future__ import annotations

import asyncio
import email
import email.policy
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from notifications.models import Notification
from tests.factories import make_cast, quick_staff_user


class LoopbackController(Controller):
    """aiosmtpd's Controller on a free port: with port=0 it would knock on port 0 to start the
    server; it knocks on the port the system gave instead."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage
    raw: bytes

    @property
    def subject(self) -> str:
        # Python folds a long encoded header right after "Subject:"; unfolding leaves a space.
        return str(self.message["Subject"]).strip()

    @property
    def body(self) -> str:
        return self.message.get_content()

    @property
    def notification_ids(self) -> list[int]:
        return [int(x) for x in str(self.message["X-Tracker-Notification"]).split(",")]


@dataclass
class Recorder:
    """The server's handler: keeps each message; ``answer`` is what it says to DATA ("451 …" makes
    every message fail for now, "550 …" for good)."""

    received: list[Received] = field(default_factory=list)
    answer: str = "250 2.0.0 Ok: queued"
    delay: float = 0.0  # seconds the server takes over each message

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if not self.answer.startswith("250"):
            return self.answer
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, envelope.original_content))
        return self.answer


@dataclass
class Server:
    handler: Recorder
    controller: LoopbackController

    @property
    def received(self):
        return self.handler.received


@pytest.fixture
def smtp(settings):
    """A running SMTP server with Django's SMTP backend pointed at it."""
    handler = Recorder()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0, ready_timeout=10)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "tracker@example.org"
    yield Server(handler, controller)
    if controller._thread is not None:
        controller.stop()


@pytest.fixture
def world(db):
    """make_cast() with a second staff member, and an e-mail address for everybody."""
    cast = make_cast()
    cast.staff2 = quick_staff_user(f"second{cast.staff.username}")
    for user in (cast.staff, cast.staff2, cast.liaison, cast.co_liaison, cast.other_liaison, cast.proposer_user,
                 cast.other_proposer_user, cast.plain):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return cast


def inbox(**filters) -> list[tuple[str, str]]:
    """(kind, username) of the inbox rows written, in order."""
    rows = Notification.objects.filter(channel=Notification.Channel.INBOX, **filters).order_by("id")
    return [(row.kind, row.recipient.username) for row in rows.select_related("recipient")]


def mails(**filters) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(channel=Notification.Channel.EMAIL, **filters).order_by("id")
    return [(row.kind, row.address) for row in rows]


def mark() -> int:
    """The last notice written so far: inbox(id__gt=mark()) reads what came after."""
    last = Notification.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0
