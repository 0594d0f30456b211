"""What a check reports: passed, failed with a fix, or skipped."""

import collections

PASS = 'pass'
FAIL = 'FAIL'
SKIP = 'skipped'

Result = collections.namedtuple('Result', ['name', 'status', 'detail',
                                           'fix'])


def passed(name, detail):
    return Result(name, PASS, detail, '')


def failed(name, detail, fix):
    return Result(name, FAIL, detail, fix)


def skipped(name, because):
    """Not run because the check named ``because`` failed."""
    return Result(name, SKIP, 'not run: %s failed' % because, '')
