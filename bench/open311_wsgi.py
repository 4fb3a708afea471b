"""The app as gunicorn serves it for the Open311 bench, plus the floor: a bare route inserting the same row.

Bench-only: the floor route exists in this module, never in the product. Settings come from the
environment (DATABASE_URL, SECRET_KEY), with rate limits lifted so the bench measures the work itself.
"""

import itertools
import os
import secrets

from flask import request
from sqlalchemy import insert

from app import create_app
from app.extensions import csrf
from app.extensions import db
from app.timeutil import utcnow
from models.case import Case

app = create_app()
app.config["OPEN311_LIMIT_PER_KEY"] = "100000000/minute"
_sequence = itertools.count()


@app.post("/bench/floor")
@csrf.exempt
def floor():
    """Insert the case row the API would write, with no validation, no events and no deadlines."""
    now = utcnow()
    number = f"FL{os.getpid()}-{next(_sequence):08d}"
    form = request.form
    db.session.execute(
        insert(Case).values(
            number=number,
            tracking_code=secrets.token_hex(6).upper(),
            channel="api",
            request_type="complaint",
            title=form.get("description", "")[:30],
            content=form.get("description", ""),
            address=form.get("address_string"),
            status="new",
            grade="green",
            received_at=now,
            updated_at=now,
        )
    )
    db.session.commit()
    return [{"service_request_id": number}], 201
