"""Test-wide rules.

With NOVAJOIN_NO_SKIP=1 (set by tools/run-tests and CI) a skipped test fails,
unless its reason starts with ``allowed-skip:`` -- kept for checks that this
machine kind cannot do at all (e.g. loop mounts in some sandboxes), which
print their reason.
"""

import os

import pytest

ALLOWED_SKIP_PREFIX = 'allowed-skip:'


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get('NOVAJOIN_NO_SKIP') != '1' or not report.skipped:
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ''
    if reason.startswith('Skipped: '):
        reason = reason[len('Skipped: '):]
    if reason.startswith(ALLOWED_SKIP_PREFIX):
        return
    report.outcome = 'failed'
    report.longrepr = ('skipped without an allowed reason while '
                       'NOVAJOIN_NO_SKIP=1: %s' % reason)
