"""Command and accountability: 领导批示, 督办单, 包案 to 销案, leaders' visits, 提级 and the automatic 督办 rules.

The records and their rules live here; the case page's buttons and the timeline come from the state machine
(:mod:`app.cases.instruments` registers one action per step, which calls these functions).
"""
