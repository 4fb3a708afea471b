"""The background jobs: each a thin call into its domain that commits its own units of work.

Every job is a plain function of ``now``. The domains only flush; a job commits once per unit of work:
the sweep once per batch of rungs, the delivery once per claim and once per sent row (a claim must be
visible before the message leaves), the recompute once per batch of deadlines, the digest once. After each
commit a looping job renews the scheduler's lease (:func:`jobs.lease.renew_held`), and stops if it was lost.
"""

from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.backups import archive as backups
from app.cases import auto_supervision as supervision_rules
from app.deadlines import digest as morning_digest
from app.deadlines import recompute as deadline_recompute
from app.deadlines.sweep import Run
from app.extensions import db
from app.maintenance import refresh_planner_statistics
from app.notifications import delivery
from app.notifications import sms
from app.privacy import retention as privacy
from app.reports import hotspots as hot_spots
from app.reports import issues as report_issues
from app.reports import rollup
from app.reports.periodic import PERIOD_OF as periodic_kinds
from app.suggest import training as suggest_training
from app.timeutil import local_day
from app.timeutil import utcnow
from jobs import lease


def sweep(now: datetime | None = None, batch: int = 500) -> dict:
    """Fire every deadline rung due at ``now`` exactly once (see :mod:`app.deadlines.sweep`); return counts."""
    run = Run(now or utcnow(), batch)
    while (rungs := run.next_batch()) is not None:
        if not run.claim_all(rungs):
            db.session.rollback()  # the batch's transaction holds nothing but its own claims
            rungs = run.claim_each(rungs)
        run.announce(rungs)
        db.session.commit()
        lease.renew_held()
    db.session.commit()
    return run.stats


def deliver(now: datetime | None = None, batch: int = 100) -> dict:
    """Deliver up to ``batch`` due e-mail and group-robot rows; return counts {sent, retried, failed, held}."""
    now = now or utcnow()
    counts = {"sent": 0, "retried": 0, "failed": 0, "held": 0}
    channels = delivery.channels()
    if not delivery.email_configured():
        counts["held"] = delivery.hold_unconfigured_email(now)
        db.session.commit()
    for _ in range(batch):
        row = delivery.claim_next(now, channels)
        db.session.commit()  # the claim is visible before anything is sent
        if row is None:
            break
        try:
            counts[delivery.deliver_one(row, now)] += 1
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception("could not record the delivery of notification %s", row.id)
        lease.renew_held()
    return counts


def deliver_sms(now: datetime | None = None, batch: int = 100) -> dict:
    """Send up to ``batch`` due texts to citizens; return counts {sent, retried, failed}."""
    now = now or utcnow()
    counts = {"sent": 0, "retried": 0, "failed": 0}
    for _ in range(batch):
        row = sms.claim_next(now)
        db.session.commit()  # the claim is visible before the text leaves
        if row is None:
            break
        try:
            counts[sms.deliver_one(row, now)] += 1
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception("could not record the delivery of SMS %s", row.id)
        lease.renew_held()
    return counts


def recompute(now: datetime) -> int:
    """Recompute the deadlines touched by waiting policy or calendar changes; return how many changed."""
    requests = deadline_recompute.pending()
    if not requests:
        return 0
    changed = 0
    for ids in deadline_recompute.batches(deadline_recompute.running_deadline_ids(requests)):
        changed += deadline_recompute.recompute_batch(ids, now)
        db.session.commit()
        lease.renew_held()
    deadline_recompute.finish(requests, now, changed)
    db.session.commit()
    return changed


def digest(now: datetime):
    """Send the morning digest once its time of day has come (once a day, whoever runs it)."""
    if not morning_digest.is_due(now):
        return "not yet"
    sent = morning_digest.send_digest(now)
    db.session.commit()
    return sent


def auto_supervision(now: datetime) -> dict:
    """Issue the automatic 督办 the admin-set rules call for (once per case and level)."""
    issued = supervision_rules.fire(now)
    db.session.commit()
    return issued


def figures(now: datetime) -> dict:
    """Correct the rollup days that changed cases touch, then build past days not built yet."""
    corrected = rollup.apply_corrections(now)
    db.session.commit()
    built = []
    for day in rollup.build_missing(now):
        built.append(day)
        db.session.commit()
    return {"corrected": len(corrected), "built": len(built)}


def daily_report(now: datetime) -> str:
    """Build yesterday's 民情日报 after its build time, and send it after its sending time (each once)."""
    done = []
    if report_issues.build_due(now) and report_issues.build_daily(now) is not None:
        db.session.commit()
        done.append("built")
    if report_issues.send_due(now):
        issue = report_issues.issue_of(local_day(now) - timedelta(days=1))
        if issue is not None and issue.sent_at is None and report_issues.send(issue, now):
            db.session.commit()
            done.append("sent")
    db.session.commit()
    return ", ".join(done) or "nothing to do"


def periodic_reports(now: datetime) -> str:
    """Build last week's, month's and quarter's reports once each has ended (after the build time), and
    send every issue not sent yet after the sending time."""
    done = []
    if report_issues.build_due(now):
        for kind in periodic_kinds:
            if report_issues.build_periodic(kind, now) is not None:
                db.session.commit()
                done.append(f"{kind} built")
    if report_issues.send_due(now):
        for issue in report_issues.unsent():
            if issue.kind in periodic_kinds and report_issues.send(issue, now):
                db.session.commit()
                done.append(f"{issue.kind} sent")
    db.session.commit()
    return ", ".join(done) or "nothing to do"


def analyze(now: datetime) -> str:
    """Refresh the planner statistics (daily)."""
    return refresh_planner_statistics()


def hotspots(now: datetime) -> dict:
    """The day's hot-spot scan (弱信号预警): new alerts told, running ones extended, quiet ones closed."""
    result = hot_spots.scan(now)
    db.session.commit()
    return result


def suggest_train(now: datetime) -> str:
    """Retrain the category suggestion on the closed cases (nightly); the held-out figures as the result."""
    row = suggest_training.train(now)
    db.session.commit()
    if row is None:
        return "nothing to learn from"
    return f"model {row.version}: {row.cases_used} cases, top-1 {row.top1}, top-3 {row.top3}"


def backup(now: datetime) -> str:
    """The nightly backup of the database and attachments, then pruning by the retention settings."""
    if not backups.enabled():
        return "disabled (BACKUP_ENABLED)"
    return backups.nightly(now)


def privacy_retention(now: datetime, batch: int = 200, max_batches: int = 50) -> str:
    """Erase the personal data of cases finished longer ago than the retention period (daily), one commit per
    batch: an interrupted run keeps what it did and the next one goes on from there."""
    total = 0
    for _ in range(max_batches):
        done = privacy.anonymise_due(now, batch)
        db.session.commit()
        lease.renew_held()
        total += done
        if done < batch:
            break
    return f"{total} cases anonymised"
