"""``novajoin-install``: set up a controller for novajoin, idempotently.

Each step compares what is there with what novajoin needs and reports a
:class:`~novajoin.install.changes.Change` for every difference; with
``--dry-run`` nothing is applied, so the report is the plan. A second run
on a set-up controller finds nothing to change.
"""
