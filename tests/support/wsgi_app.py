"""The app as a separate gunicorn process serves it in tests (:class:`tests.support.app_server.AppServer`):
test settings on the database file ``SUQIU_TEST_DB``, plus the JSON object ``SUQIU_TEST_SETTINGS``."""

import json
import os

from app import create_app
from tests.conftest import make_config

app = create_app(
    make_config(os.environ["SUQIU_TEST_DB"], **json.loads(os.environ.get("SUQIU_TEST_SETTINGS", "{}")))
)
