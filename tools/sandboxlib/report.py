"""Readable, numbered step output for the sandbox."""

import contextlib
import sys
import time


def mask(secret):
    """Enough of a secret to compare by eye, never the secret."""
    if not secret:
        return '<none>'
    return secret[:2] + '***'


class StepFailed(Exception):
    """A sandbox step did not see what it expected."""


class Report(object):

    def __init__(self, out=None):
        self._out = out or sys.stdout
        self._number = 0
        self.failures = []

    def _print(self, text):
        self._out.write(text + '\n')
        self._out.flush()

    def detail(self, text, *args):
        self._print('      ' + (text % args if args else text))

    @contextlib.contextmanager
    def step(self, title):
        self._number += 1
        self._print('[%2d] %s' % (self._number, title))
        started = time.monotonic()
        try:
            yield self
        except Exception as exc:
            self.failures.append((title, exc))
            self._print('      FAILED (%s): %s' % (type(exc).__name__, exc))
            raise
        self._print('      ok (%.1fs)' % (time.monotonic() - started))


def expect(condition, message, *args):
    if not condition:
        raise StepFailed(message % args if args else message)
