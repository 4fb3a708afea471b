"""Open311 test support: an active API key of the test district's mailbox."""

import pytest

from app.auth.api_keys import issue_key
from models.intake_control import ApiKey
from models.org import Mailbox


@pytest.fixture(name="key")
def api_key_fixture(db):
    """An active API key for the 局长信箱 mailbox: (row, plaintext)."""
    row = ApiKey(name="市平台", system="city-12345", mailbox=db.session.query(Mailbox).one())
    db.session.add(row)
    plaintext = issue_key(row)
    db.session.commit()
    return row, plaintext
