"""novajoin-server for the benchmark: configuration, start-up, figures.

The API logs one ``novajoin.ipa.timing`` DEBUG line per IPA round trip
(only that logger is at DEBUG): how long the call waited for a connection
slot, held it, and spent on the wire. Held minus wire is what a slot
costs beyond the call itself: handing it to the next waiter, waking that
waiter up, building the request.
"""

import contextlib
import os
import re
import time

from oslo_log import _options as log_options
import requests

from bench import ipa as bench_ipa
from bench import stats
from sandboxlib import nova
from sandboxlib import stack
from tests.fixtures import novajoin_server

_TIMING_LINE = re.compile(
    r'IPA slot server=(?P<server>\S+) waited_ms=(?P<waited>[0-9.]+) '
    r'held_ms=(?P<held>[0-9.]+) wire_ms=(?P<wire>[0-9.]+)')
TIMING_LEVELS = ','.join(log_options.DEFAULT_LOG_LEVELS
                         + ['novajoin.ipa.timing=DEBUG'])


def sections(env, ipa, args, workers=1, auth='keystone',
             memcached_servers=None):
    """join.conf for one API process."""
    conf = stack.server_sections(env.ks, ipa.first, env.otp_key_file,
                                 env.workdir)
    # FreeIPA's 4 WSGI processes per server, shared by the workers.
    per_worker = max(1, args.max_concurrency // workers)
    conf['ipa'] = bench_ipa.ipa_section(
        ipa, env.workdir, max_connections_per_server=per_worker)
    conf['DEFAULT']['workers'] = workers
    conf['DEFAULT']['default_log_levels'] = TIMING_LEVELS
    if auth == 'keystone':
        authtoken = env.ks.service_credentials_conf()
        authtoken.pop('region_name', None)
        authtoken.pop('interface', None)
        authtoken['www_authenticate_uri'] = env.ks.auth_url
        conf['DEFAULT']['auth_strategy'] = 'keystone'
        # keystonemiddleware's own memcached client (python-memcached) is
        # not a novajoin dependency: each worker caches tokens itself.
        conf['keystone_authtoken'] = authtoken
    if memcached_servers:
        # The nonce cache shared by the workers (oslo.cache's [cache]).
        conf['cache'] = {'enabled': 'true',
                         'backend': 'dogpile.cache.pymemcache',
                         'memcache_servers': memcached_servers}
    return conf


@contextlib.contextmanager
def run(workdir, env, conf, name='novajoin', source=None):
    """The API process; yields (server, seconds from start to first 200).

    ``source``: a directory holding another tree's ``novajoin`` package,
    which the process then runs instead of this one's.
    """
    started = time.perf_counter()
    with novajoin_server.run_novajoin_server(
            workdir, env.ca, conf, name=name,
            env={'PYTHONPATH': source} if source else None) as server:
        first = _first_answer(server, started)
        yield server, first


def _first_answer(server, started, timeout=60.0):
    """Seconds from spawning the process to its first answer to GET /."""
    end = started + timeout
    while time.perf_counter() < end:
        try:
            response = requests.get(server.url + '/', verify=server.ca_file,
                                    timeout=5)
            if response.status_code < 500:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(0.01)
    return None


def rss_mb(pid):
    """Resident MB of ``pid`` and of each of its children: {pid: MB}."""
    found = {}
    for candidate in [pid] + _children(pid):
        try:
            with open('/proc/%d/status' % candidate) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        found[candidate] = int(line.split()[1]) / 1024.0
        except FileNotFoundError:
            continue
    return found


def _children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def slot_figures(log_text):
    """Slot wait, hold and hold-minus-wire percentiles, in seconds."""
    lines = [m.groupdict() for m in _TIMING_LINE.finditer(log_text)]
    waited = [float(x['waited']) / 1000 for x in lines]
    held = [float(x['held']) / 1000 for x in lines]
    wire = [float(x['wire']) / 1000 for x in lines]
    return {
        'round_trips': len(lines),
        'waited_s': stats.latency_summary(waited),
        'held_s': stats.latency_summary(held),
        'wire_s': stats.latency_summary(wire),
        'overhead_s': stats.latency_summary(
            [h - w for h, w in zip(held, wire)]),
    }


def token_headers(token):
    headers = dict(nova.NOVA_HEADERS)
    if token:
        headers['X-Auth-Token'] = token
    return headers


def log_size(server):
    try:
        return os.path.getsize(server.log_file)
    except FileNotFoundError:
        return 0


def log_since(server, offset):
    with open(server.log_file, encoding='utf-8', errors='replace') as f:
        f.seek(offset)
        return f.read()
