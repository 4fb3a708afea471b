"""The public pages' answer to a request too large to read (over MAX_CONTENT_LENGTH): nothing was sent.

Werkzeug refuses such a body before the form is parsed, so the text cannot be shown again from here; the
page's script (``static/suqiu.js``) stops oversized files in the browser first, and this page says plainly
that nothing was sent or saved and leads back to the form.
"""

from flask import render_template
from flask import request


def too_large(error):
    """413 for a citizen or a volunteer: what happened, and the way back to the form they were filling in."""
    return render_template("public/too_large.html", back=request.path), 413
