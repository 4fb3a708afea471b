"""The texts a citizen is sent (SMS-ready) when their case is accepted (受理) and answered (答复).

Short plain Chinese (one SMS of 70 characters with the office's signature): the case number and the
tracking code, never the content or the reply itself -- a phone's lock screen shows it to anyone. Sent
only to a mobile number the citizen gave (:func:`app.notifications.sms.mobile`); queued in the same
transaction as the step, delivered later by the SMS job, so a failed text never holds up the case.
"""

from datetime import timedelta

from app.notifications import sms
from app.timeutil import utcnow
from models.case import CaseAction
from models.sms import SmsKind

# Always Chinese, whatever language the clerk's screen is in: the citizen reads them on their phone.
TEXTS = {
    SmsKind.ACCEPTED: "您的诉求已受理，编号{number}，查询码{code}，可凭查询码查询办理进度。",
    SmsKind.ANSWERED: "您的诉求（编号{number}）已答复，请凭查询码{code}查看答复并评价。",
}
# A text is news: a step recorded as taken longer ago than this (history loaded afterwards, the demo's
# months of cases) sends none.
NEWS_WINDOW = timedelta(days=1)
# The actions that send a text, and which: 受理 (also when a clerk registers a case by hand) and 答复
# (a department's reply, or the intake team's answer on the spot).
KIND_OF = {
    CaseAction.REGISTER: SmsKind.ACCEPTED,
    CaseAction.REPLY: SmsKind.ANSWERED,
    CaseAction.DIRECT_ANSWER: SmsKind.ANSWERED,
}


def text_for(case, kind: SmsKind) -> str:
    """The text of ``kind`` for ``case``, without the office's signature."""
    return TEXTS[kind].format(number=case.number, code=case.tracking_code)


def after_action(case, event) -> None:
    """Queue the citizen's text an action on ``case`` calls for (called by the state machine after each action)."""
    kind = KIND_OF.get(event.action)
    if kind is not None and event.at >= utcnow() - NEWS_WINDOW:
        sms.queue(case, event, kind, text_for(case, kind), event.at)
