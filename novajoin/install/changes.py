"""What the installer changed, or would change, and how it says so."""

import re

# Values of options matching this are never printed.
_SECRET_OPTION = re.compile(r'password|secret|transport_url|token', re.I)
MASK = '****'


def shown_value(option, value):
    if value is not None and _SECRET_OPTION.search(option):
        return MASK
    return value


class Change(object):
    """One difference found; ``apply`` makes it (None: nothing to run)."""

    def __init__(self, description, apply=None):
        self.description = description
        self.apply = apply


class InstallError(Exception):
    """A step cannot be done; the message says what to do about it."""


class Report(object):
    """Prints each step's outcome; counts the changes."""

    def __init__(self, dry_run, out):
        self.dry_run = dry_run
        self.out = out
        self.changed = 0
        self.manual_steps = []

    def apply(self, changes):
        for change in changes:
            if self.dry_run:
                self.out('would %s' % change.description)
            else:
                if change.apply is not None:
                    change.apply()
                self.out('done: %s' % change.description)
            self.changed += 1

    def unchanged(self, what):
        self.out('unchanged: %s' % what)

    def note(self, text):
        self.out('note: %s' % text)

    def manual(self, text):
        self.manual_steps.append(text)
        self.out('to do by hand: %s' % text)

    def summary(self):
        if self.changed == 0:
            return 'nothing to change: this controller is set up already'
        if self.dry_run:
            return 'dry run: %d change(s) would be made' % self.changed
        return '%d change(s) made' % self.changed
