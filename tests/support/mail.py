"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests, set as the app's mail server."""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailRecorder:
    """aiosmtpd handler: keeps every accepted message; answers 451 to the next ``reject`` messages."""

    def __init__(self):
        self.envelopes = []
        self.reject = 0

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            self.reject -= 1
            return "451 4.3.0 Try again later"
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        return [email.message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


@pytest.fixture(name="smtp")
def smtp_fixture(app):
    """A real SMTP server on 127.0.0.1, configured as the app's mail server."""
    recorder = MailRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_DEFAULT_SENDER="诉求通 <suqiu@example.gov.cn>",
    )
    yield recorder
    controller.stop()
