"""Latency figures, log-line parsing and the text table of the benchmark."""

import collections
import math
import os
import re
import time

# The 1-minute load average under which published figures may be taken.
QUIET_LOAD = 0.5
# How long a scenario waits for the load of starting its environment
# (Keystone, the simulators) to fade before it starts anyway.
QUIET_WAIT_S = 180.0


def settled_load(report, wait=QUIET_WAIT_S, sleep=time.sleep):
    """The load average once under QUIET_LOAD, waiting ``wait`` seconds at
    most; reported, with a warning when the machine is still not quiet.
    """
    end = time.monotonic() + wait
    load = os.getloadavg()
    while load[0] >= QUIET_LOAD and time.monotonic() < end:
        sleep(5)
        load = os.getloadavg()
    with report.step('load average at start: %.2f %.2f %.2f' % load):
        if load[0] >= QUIET_LOAD:
            report.detail('NOT a quiet machine (>= %.1f): figures are not '
                          'worth publishing', QUIET_LOAD)
    return load


def percentile(values, pct):
    """Nearest-rank percentile of ``values`` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(math.ceil(pct / 100.0 * len(ordered))))
    return ordered[rank - 1]


def latency_summary(seconds):
    """{p50, p95, p99, max, mean} in seconds of a list of durations."""
    return {
        'p50': percentile(seconds, 50),
        'p95': percentile(seconds, 95),
        'p99': percentile(seconds, 99),
        'max': max(seconds) if seconds else None,
        'mean': sum(seconds) / len(seconds) if seconds else None,
    }


def count(values):
    """{value: how many}, sorted by value, for JSON and the table."""
    return dict(sorted(collections.Counter(values).items()))


# novajoin-server: one line per vendordata request.
_REQUEST_LINE = re.compile(
    r'request=(?P<request_id>req-[0-9a-f-]+) instance=(?P<instance>\S+) '
    r'fqdn=(?P<fqdn>\S+) decision=(?P<decision>\S+) status=(?P<status>\d+) '
    r'ipa_calls=(?P<ipa_calls>\d+) duration_ms=(?P<duration_ms>\d+)')

# novajoin-notify: one line per handled notification.
_NOTIFY_LINE = re.compile(
    r'event=(?P<event>\S+) message_id=(?P<message_id>\S+) '
    r'instance=(?P<instance>\S+) fqdn=(?P<fqdn>\S+) outcome=(?P<outcome>\S+)'
    r' attempts=(?P<attempts>\d+) duration=(?P<duration>[0-9.]+)s')


def request_lines(text):
    """{request id: fields} of novajoin-server's request log lines."""
    return {m.group('request_id'): m.groupdict()
            for m in _REQUEST_LINE.finditer(text)}


def notify_lines(text):
    """[fields] of novajoin-notify's per-notification log lines."""
    return [m.groupdict() for m in _NOTIFY_LINE.finditer(text)]


def read_text(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return ''


def ms(seconds):
    return '-' if seconds is None else '%.0f ms' % (seconds * 1000.0)


def per_second(value):
    return '-' if value is None else '%.1f/s' % value


def pairs(mapping):
    return ', '.join('%s=%s' % item for item in mapping.items()) or '-'


class Table(object):
    """Two columns, a title per block; wide values wrap onto new lines."""

    def __init__(self, width=78):
        self.width = width
        self.lines = []

    def title(self, text):
        if self.lines:
            self.lines.append('')
        self.lines.append(text)
        self.lines.append('-' * min(len(text), self.width))

    def row(self, name, value):
        self.lines.append('  %-26s %s' % (name, value))

    def text(self):
        return '\n'.join(self.lines)
