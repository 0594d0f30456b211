"""Concurrent boots: N instances ask novajoin for vendordata at once.

Every instance asks once (the boot wave), then once more (the repeat
wave: nova asks again before the instance has enrolled). C client
threads play nova's metadata API workers, each with its own HTTP session.
"""

import collections
import concurrent.futures
import contextlib
import dataclasses
import os
import threading
import time
import uuid

import requests

from bench import stats
from novajoin import ownership
from sandboxlib import nova
from sandboxlib import stack
from tests.fixtures import novajoin_server

# nova's DynamicJSON client gives up after this (connect and read).
NOVA_TIMEOUT_S = float(nova.NOVA_TIMEOUT[1])
UWSGI_LAYOUT = '2 processes x 8 threads'


@dataclasses.dataclass
class Result(object):
    instance: nova.Instance
    status: str
    latency: float
    body: dict = None
    request_id: str = None

    @property
    def ok(self):
        return self.status == '200'

    @property
    def otp(self):
        return (self.body or {}).get('ipaotp')


class Caller(object):
    """POSTs as nova does; one requests.Session per client thread."""

    def __init__(self, url, ca_file, token=None):
        self.url = url.rstrip('/') + '/v1'
        self.ca_file = ca_file
        self.headers = dict(nova.NOVA_HEADERS)
        if token:
            self.headers['X-Auth-Token'] = token
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sessions = []

    def _session(self):
        session = getattr(self._local, 'session', None)
        if session is None:
            session = self._local.session = requests.Session()
            with self._lock:
                self._sessions.append(session)
        return session

    def post(self, instance):
        """One vendordata request; a :class:`Result`, never an exception."""
        session = self._session()
        started = time.perf_counter()
        try:
            response = session.post(
                self.url, json=instance.vendordata_body(),
                headers=self.headers, timeout=nova.NOVA_TIMEOUT,
                verify=self.ca_file)
        except requests.Timeout:
            return Result(instance, 'timeout',
                          time.perf_counter() - started)
        except requests.RequestException as exc:
            return Result(instance, type(exc).__name__,
                          time.perf_counter() - started)
        latency = time.perf_counter() - started
        try:
            body = response.json()
        except ValueError:
            body = None
        return Result(instance, str(response.status_code), latency,
                      body if isinstance(body, dict) else None,
                      response.headers.get('X-OpenStack-Request-ID'))

    def close(self):
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions = []


def server_sections(env, args):
    """join.conf for the run: the sandbox's, plus the chosen auth."""
    sections = stack.server_sections(env.ks, env.ipa, env.otp_key_file,
                                     env.workdir)
    if args.workers:
        sections['DEFAULT']['workers'] = args.workers
    if args.auth == 'keystone':
        authtoken = env.ks.service_credentials_conf()
        authtoken.pop('region_name', None)
        authtoken.pop('interface', None)
        authtoken['www_authenticate_uri'] = env.ks.auth_url
        sections['DEFAULT']['auth_strategy'] = 'keystone'
        sections['keystone_authtoken'] = authtoken
    return sections


def _wave(pool, caller, instances):
    """(results, wall seconds, CPU seconds this process used meanwhile)."""
    cpu = time.process_time()
    started = time.perf_counter()
    results = list(pool.map(caller.post, instances))
    return (results, time.perf_counter() - started,
            time.process_time() - cpu)


def _ipa_figures(after):
    calls = after.get('calls', {})
    logins = after.get('logins', {})
    return {
        'calls': calls,
        'round_trips': sum(calls.values()),
        'logins': sum(logins.values()),
        'concurrent_peak': after.get('concurrent_peak'),
        'connections_accepted': after.get('connections_accepted'),
    }


def summarize(results, wall, log_lines, ipa_stats):
    """The figures of one wave."""
    latencies = [r.latency for r in results]
    lines = [log_lines[r.request_id] for r in results
             if r.request_id in log_lines]
    logged_calls = sum(int(line['ipa_calls']) for line in lines)
    summary = {
        'requests': len(results),
        'wall_s': wall,
        'requests_per_s': len(results) / wall if wall else None,
        'latency_s': stats.latency_summary(latencies),
        'status': stats.count(r.status for r in results),
        'errors': sum(1 for r in results if not r.ok),
        'over_nova_timeout': sum(
            1 for r in results
            if r.status == 'timeout' or r.latency > NOVA_TIMEOUT_S),
        'server': {
            'log_lines': len(lines),
            'decisions': stats.count(line['decision'] for line in lines),
            'ipa_calls': logged_calls,
            'ipa_calls_per_request': (logged_calls / len(lines)
                                      if lines else None),
            'duration_s': stats.latency_summary(
                [int(line['duration_ms']) / 1000.0 for line in lines]),
        },
        'ipa': ipa_stats,
    }
    return summary


def _fqdn_of(entry):
    fqdn = entry.get('fqdn')
    return fqdn[0] if isinstance(fqdn, list) else fqdn


def check(boot, repeat, hosts):
    """Every instance: an OTP, exactly one IPA entry, the same OTP again."""
    owned = collections.defaultdict(list)
    for entry in hosts:
        record = ownership.owner_of(entry)
        if record is not None:
            owned[record.instance_id].append(_fqdn_of(entry))
    problems = []
    counts = collections.Counter()
    for first, again in zip(boot, repeat):
        instance = first.instance
        fqdn = '%s.%s' % (instance.hostname, stack.DOMAIN)
        name = instance.hostname
        if not first.ok or not first.otp:
            problems.append('%s: boot request got %s without an OTP'
                            % (name, first.status))
        elif (first.body or {}).get('hostname') != fqdn:
            problems.append('%s: answered hostname %r, expected %r'
                            % (name, first.body.get('hostname'), fqdn))
        else:
            counts['with_otp'] += 1
        entries = owned.get(instance.instance_id, [])
        if entries == [fqdn]:
            counts['one_host_entry'] += 1
        else:
            listed = ': ' + ', '.join(entries) if entries else ''
            problems.append('%s: %d IPA entries owned by the instance%s'
                            % (name, len(entries), listed))
        if first.otp and again.ok and again.otp == first.otp:
            counts['same_otp_on_repeat'] += 1
        elif not again.ok or not again.otp:
            problems.append('%s: repeat request got %s without an OTP'
                            % (name, again.status))
        elif first.otp:
            problems.append('%s: repeat request got a different OTP' % name)
    return {
        'instances': len(boot),
        'with_otp': counts['with_otp'],
        'one_host_entry': counts['one_host_entry'],
        'same_otp_on_repeat': counts['same_otp_on_repeat'],
        'ok': not problems,
        'problem_count': len(problems),
        'problems': problems[:20],
    }


def run(report, env, args, runner):
    """Serve with ``runner``, run both waves, check; the figures."""
    tag = 'ns' if runner == 'novajoin-server' else 'uw'
    batch = uuid.uuid4().hex[:6]
    image_id = str(uuid.uuid4())
    env.standin.set_image(image_id, {'os_distro': 'fedora',
                                     'os_version': '40'})

    def instance(name):
        made = nova.Instance('bench-%s-%s-%s' % (tag, batch, name))
        made.image_id = image_id
        return made

    instances = [instance('%04d' % n) for n in range(args.instances)]
    warmup = [instance('warmup-%d' % n) for n in range(args.warmup)]
    workdir = os.path.join(env.workdir, runner)
    with contextlib.ExitStack() as cleanup:
        with report.step('%s over TLS (auth_strategy = %s)'
                         % (runner, args.auth)):
            server = cleanup.enter_context(
                novajoin_server.run_novajoin_server(
                    workdir, env.ca, server_sections(env, args),
                    runner=runner))
            report.detail('%s, log %s', server.url,
                          os.path.relpath(server.log_file, os.getcwd()))
        token = env.ks.token_for('nova') if args.auth == 'keystone' else None
        caller = Caller(server.url, server.ca_file, token)
        cleanup.callback(caller.close)
        pool = cleanup.enter_context(concurrent.futures.ThreadPoolExecutor(
            max_workers=args.concurrency, thread_name_prefix='nova'))
        if warmup:
            with report.step('warm-up: %d request(s), not counted'
                             % len(warmup)):
                results, _, _ = _wave(pool, caller, warmup)
                report.detail('status %s', stats.pairs(
                    stats.count(r.status for r in results)))
        waves = {}
        for wave in ('boot', 'repeat'):
            with report.step('%s wave: %d instances, %d clients'
                             % (wave, len(instances), args.concurrency)):
                env.ipa.admin.reset_stats()
                results, wall, cpu = _wave(pool, caller, instances)
                waves[wave] = (results, wall, cpu,
                               _ipa_figures(env.ipa.admin.stats()))
                report.detail('%.2fs, status %s', wall, stats.pairs(
                    stats.count(r.status for r in results)))
        with report.step('check: an OTP, one IPA entry each, the same OTP '
                         'on repeat'):
            verdict = check(waves['boot'][0], waves['repeat'][0],
                            env.ipa.admin.hosts())
            report.detail('%d/%d with OTP, %d with one entry, %d same OTP',
                          verdict['with_otp'], verdict['instances'],
                          verdict['one_host_entry'],
                          verdict['same_otp_on_repeat'])
    log_lines = stats.request_lines(stats.read_text(server.log_file))
    figures = {
        'runner': runner,
        'server_layout': (UWSGI_LAYOUT if runner == 'uwsgi' else
                          'workers=%s' % (args.workers or '1 (default)')),
        'auth_strategy': args.auth,
        'log_file': server.log_file,
        'check': verdict,
    }
    for wave, (results, wall, cpu, ipa_stats) in waves.items():
        figures[wave] = summarize(results, wall, log_lines, ipa_stats)
        figures[wave]['client_cpu_s'] = cpu
    return figures
