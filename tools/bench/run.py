#!/usr/bin/env python3
"""novajoin's benchmark against a simulated FreeIPA deployment as it is.

Run by ``tox -e bench`` (``python tools/bench/run.py``). It starts what
the sandbox starts (``tools/sandboxlib``, the functional tests' fixtures):
a throwaway CA, ``--servers`` IPA simulators that each serve at most
``--max-concurrency`` calls at once (FreeIPA's 4 WSGI processes) with
separate read and write latencies, Keystone and the Glance/nova stand-in,
all over TLS on 127.0.0.1; memcached and haproxy where a scenario needs
them. Scenarios (``--scenario``, default all):

storm
    ``--instances`` boot at once from ``--clients`` nova clients with
    nova's request pattern (config drive: 6 vendordata requests per boot;
    metadata service: 1 to 3) against novajoin-server with ``--workers``.
noenroll
    requests of instances that do not ask for enrollment (the call nova
    makes for every instance) against one worker with keystonemiddleware
    validating a cached token, and the same against a bare eventlet TLS
    hello-world WSGI app.
drain
    ``--deletes`` nova delete notifications on RabbitMQ, drained by
    novajoin-notify.
startup
    start to first answer, and resident memory per worker.
scaleout
    haproxy in front of 3 novajoin-server processes sharing memcached,
    2 novajoin-notify listeners on one queue: consistency checks.
reconcile
    ``novajoin-manage hosts list --format json``, ``reconcile --dry-run``
    and ``reconcile`` at ``--reconcile-sizes`` owned hosts (1 % stale,
    200 foreign hosts), one IPA simulator at ``--reconcile-latency-ms``
    per call, nova paging 1,000 servers; 100,000 modelled
    (``tools/bench/reconcile_scale.py``).
ipa-model
    FreeIPA at realistic latencies (``--latency-ms``, 100 by default
    here, for reads and writes): IPA round trips per boot for both of
    nova's patterns and both cache setups, the share of the ceiling
    ``servers x 4 / (latency x round trips per boot)``, CPU per
    enrollment, RSS, start to first enrollment; ``--repetitions`` runs
    (3), medians, the load average at the start. Not in the default set:
    ``tox -e bench -- --scenario ipa-model``.

Every scenario prints its figures, and the ceiling IPA allows,
``servers x slots / (IPA time per boot or delete)``, with the share of it
reached; a final line holds every figure as JSON (also ``--json FILE``).
The exit status is 1 for a failed target (unless ``--no-targets``) or a
failed consistency check, 2 when the benchmark could not run. Work files
and logs stay in ``.sandbox/bench/``. Performance targets live here, never
in timed test assertions.
"""

import argparse
import contextlib
import dataclasses
import datetime
import json
import os
import platform
import random
import signal
import sys
import uuid
import warnings

# oslo.messaging imports oslo.service's eventlet backend, which warns at
# import; this process uses no eventlet and the warning only hides output.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, 'tools'))

from bench import api  # noqa: E402
from bench import boots  # noqa: E402
from bench import deletes  # noqa: E402
from bench import ipa as bench_ipa  # noqa: E402
from bench import ipamodel  # noqa: E402
from bench import noenroll  # noqa: E402
from bench import reconcile_scale  # noqa: E402
from bench import scaleout  # noqa: E402
from bench import stats  # noqa: E402
from bench import table  # noqa: E402
from sandboxlib import report as reporting  # noqa: E402
from sandboxlib import stack  # noqa: E402
from tests.fixtures import keystone  # noqa: E402
from tests.fixtures import openstack_standin  # noqa: E402
from tests.fixtures import tls  # noqa: E402

SCENARIOS = ('storm', 'noenroll', 'drain', 'startup', 'scaleout',
             'reconcile')
# Run only when asked for.
EXTRA_SCENARIOS = ('ipa-model',)


@dataclasses.dataclass
class Environment(object):
    workdir: str
    ca: object
    otp_key_file: str
    ipa: object
    ks: object
    standin: object
    image_id: str
    memcached: object


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add('--scenario', action='append', choices=SCENARIOS + EXTRA_SCENARIOS,
        help='run this scenario (repeatable); default: all')
    add('--servers', type=int, default=3,
        help='simulated IPA servers; default: %(default)s')
    add('--max-concurrency', type=int, default=4,
        help="calls each IPA server serves at once (FreeIPA's "
             'WSGI_PROCESSES); default: %(default)s')
    add('--read-latency-ms', type=int, default=20,
        help='IPA time per read; default: %(default)s')
    add('--write-latency-ms', type=int, default=40,
        help='IPA time per write; default: %(default)s')
    add('--instances', '-n', type=int, default=2000,
        help='instances booting at once (storm); default: %(default)s')
    add('--clients', '-c', type=int, default=100,
        help='concurrent nova clients (storm); default: %(default)s')
    add('--pattern', choices=sorted(boots.PATTERNS), default='config-drive',
        help="nova's vendordata requests per boot; default: %(default)s")
    add('--workers', type=int, default=2,
        help='novajoin-server workers in the storm; default: %(default)s')
    add('--auth', choices=('noauth', 'keystone'), default='keystone',
        help="the API's auth_strategy; default: %(default)s")
    add('--warmup', type=int, default=20,
        help='uncounted boots (and deletes) first; default: %(default)s')
    add('--noenroll-requests', type=int, default=3000,
        help='requests per run of the noenroll scenario; default: '
             '%(default)s')
    add('--noenroll-clients', type=int, default=20,
        help='concurrent clients of the noenroll scenario; default: '
             '%(default)s')
    add('--deletes', '-m', type=int, default=500,
        help='hosts deleted by notifications (drain); default: %(default)s')
    add('--delete-format', choices=('versioned', 'legacy'),
        default='versioned',
        help="nova's notification format; default: %(default)s")
    add('--delete-timeout', type=float, default=300.0,
        help='seconds to wait for IPA to be clean; default: %(default)s')
    add('--notify-max-in-flight', type=int, default=None,
        help="novajoin-notify's [notify] max_in_flight; default: "
             "novajoin's own (%d)" % deletes.DEFAULT_MAX_IN_FLIGHT)
    add('--scaleout-instances', type=int, default=300,
        help='instances booted through haproxy (scaleout); default: '
             '%(default)s')
    add('--reconcile-sizes', type=lambda text: [int(n) for n in
                                                text.split(',')],
        default=[2000, 20000],
        help='owned hosts in the reconcile scenario, comma-separated; '
             'default: 2000,20000')
    add('--reconcile-latency-ms', type=int, default=20,
        help='IPA time per call in the reconcile scenario; default: '
             '%(default)s')
    add('--reconcile-profile', metavar='DIR',
        help='run each reconcile scenario command under cProfile, writing '
             '<N>-<command>.prof into DIR (slower; for where the time goes)')
    add('--latency-ms', type=int, default=None,
        help='IPA time per read and per write alike (overrides both); '
             'default: 100 with --scenario ipa-model, else unset')
    add('--repetitions', type=int, default=3,
        help='runs of each ipa-model case and of each reconcile size, '
             'medians reported; default: %(default)s')
    add('--baseline-ref', default=ipamodel.BASELINE_REF,
        help='ipa-model also runs the API of this git commit (fresh '
             'processes, one worker) beside this tree, for the targets '
             '"no worse than before"; none to skip; default: %(default)s')
    add('--baseline-instances', type=int, default=600,
        help='new instances per CPU pass of that comparison; default: '
             '%(default)s')
    add('--json', metavar='FILE', help='also write every figure to FILE')
    add('--no-targets', action='store_true',
        help='report the targets but do not fail on them (consistency '
             'checks still count)')
    args = parser.parse_args(argv)
    for name in ('servers', 'max_concurrency', 'instances', 'clients',
                 'workers', 'deletes', 'noenroll_requests',
                 'baseline_instances',
                 'noenroll_clients', 'scaleout_instances'):
        if getattr(args, name) < 1:
            parser.error('--%s must be at least 1' % name.replace('_', '-'))
    if args.notify_max_in_flight is not None and args.notify_max_in_flight < 1:
        parser.error('--notify-max-in-flight must be at least 1')
    if min(args.warmup, args.read_latency_ms, args.write_latency_ms) < 0:
        parser.error('--warmup and the latencies must be >= 0')
    if min(args.reconcile_sizes) < 100 or args.reconcile_latency_ms < 0:
        parser.error('--reconcile-sizes must be at least 100 each and '
                     '--reconcile-latency-ms >= 0')
    args.scenario = args.scenario or list(SCENARIOS)
    if args.latency_ms is None and 'ipa-model' in args.scenario:
        args.latency_ms = 100
    if args.latency_ms is not None:
        if args.latency_ms < 0:
            parser.error('--latency-ms must be >= 0')
        args.read_latency_ms = args.write_latency_ms = args.latency_ms
    if args.repetitions < 1:
        parser.error('--repetitions must be at least 1')
    return args


def _memcached():
    """tests.fixtures.memcached where the tree has it (None otherwise)."""
    try:
        from tests.fixtures import memcached
    except ImportError:
        return None
    return memcached


@contextlib.contextmanager
def environment(report, args):
    workdir = stack.make_workdir(os.path.join(REPO, '.sandbox', 'bench'))
    with contextlib.ExitStack() as cleanup:
        with report.step('throwaway CA and work directory'):
            ca = tls.TestCA(os.path.join(workdir, 'ca'), 'novajoin bench CA')
            otp_key_file = stack.write_otp_key(workdir)
            report.detail('%s', os.path.relpath(workdir, os.getcwd()))
        with report.step('%d IPA simulator(s) over TLS' % args.servers):
            ipa = cleanup.enter_context(bench_ipa.run_deployment(
                workdir, ca, args.servers, args.max_concurrency,
                args.read_latency_ms, args.write_latency_ms))
            report.detail('%s', ipa.describe())
        with report.step('Keystone (sqlite, uWSGI, TLS) and the '
                         'Glance/nova/neutron stand-in'):
            ks = cleanup.enter_context(keystone.run_keystone(
                os.path.join(workdir, 'keystone'), ca=ca))
            standin = cleanup.enter_context(
                openstack_standin.run_openstack_standin(ks, ca=ca))
            image_id = str(uuid.uuid4())
            standin.set_image(image_id, {'os_distro': 'fedora',
                                         'os_version': '40'})
        memcached = None
        fixture = _memcached()
        with report.step('memcached'):
            if fixture is None:
                report.detail('not in this tree (tests/fixtures/memcached): '
                              'every process keeps its own cache')
            else:
                memcached = cleanup.enter_context(fixture.run_memcached())
                report.detail('%s', memcached.server)
        yield Environment(workdir, ca, otp_key_file, ipa, ks, standin,
                          image_id, memcached)


def _token(env, args):
    return env.ks.token_for('nova') if args.auth == 'keystone' else None


def run_storm(report, env, args):
    conf = api.sections(env, env.ipa, args, workers=args.workers,
                        auth=args.auth,
                        memcached_servers=getattr(env.memcached, 'server',
                                                  None))
    workdir = os.path.join(env.workdir, 'storm')
    with contextlib.ExitStack() as cleanup:
        with report.step('novajoin-server, %d worker(s), auth %s'
                         % (args.workers, args.auth)):
            server, _ = cleanup.enter_context(api.run(workdir, env, conf))
        offset = api.log_size(server)
        figures, _ = boots.storm(report, env, args, server.url,
                                 server.ca_file, _token(env, args), 'storm',
                                 env.ipa)
        figures['slots'] = api.slot_figures(api.log_since(server, offset))
        rss = api.rss_mb(server.process.pid)
        workers = {pid: mb for pid, mb in rss.items()
                   if pid != server.process.pid} or rss
        figures['rss_mb_per_worker'] = max(workers.values())
        figures['workers'] = args.workers
    return figures


def run_noenroll(report, env, args):
    conf = api.sections(env, env.ipa, args, workers=1, auth='keystone',
                        memcached_servers=getattr(env.memcached, 'server',
                                                  None))
    workdir = os.path.join(env.workdir, 'noenroll')
    token = env.ks.token_for('nova')
    with report.step('bare eventlet TLS hello-world WSGI app: %d requests, '
                     '%d clients' % (args.noenroll_requests,
                                     args.noenroll_clients)):
        os.makedirs(workdir, exist_ok=True)
        hello = noenroll.hello_rate(workdir, env.ca, args.noenroll_requests,
                                    args.noenroll_clients)
        report.detail('%s', stats.per_second(hello['requests_per_s']))
    with report.step('novajoin-server, 1 worker, keystone, no-enroll '
                     'requests'):
        with api.run(workdir, env, conf) as (server, _):
            mine = noenroll.novajoin_rate(server, token,
                                          args.noenroll_requests,
                                          args.noenroll_clients,
                                          env.image_id)
        report.detail('%s', stats.per_second(mine['requests_per_s']))
    return noenroll.summary(mine, hello)


def run_startup(report, env, args):
    conf = api.sections(env, env.ipa, args, workers=1, auth=args.auth)
    workdir = os.path.join(env.workdir, 'startup')
    with report.step('novajoin-server start to first answer'):
        with api.run(workdir, env, conf) as (server, first):
            rss = api.rss_mb(server.process.pid)
        report.detail('%s', stats.ms(first))
    return {'first_answer_s': first,
            'rss_mb_idle': max(rss.values()) if rss else None}


def run(report, args):
    results = {
        'started': datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'),
        'machine': machine(),
        'parameters': {k: v for k, v in vars(args).items()
                       if k not in ('json', 'no_targets')},
    }
    random.seed()
    with environment(report, args) as env:
        results['workdir'] = env.workdir
        results['ipa'] = {'servers': len(env.ipa.sims),
                          'max_concurrency': env.ipa.max_concurrency,
                          'read_latency_ms': env.ipa.read_ms,
                          'write_latency_ms': env.ipa.write_ms,
                          'memcached': env.memcached is not None}
        scenarios = {'storm': run_storm, 'noenroll': run_noenroll,
                     'drain': deletes.run, 'startup': run_startup,
                     'scaleout': scaleout.run,
                     'reconcile': reconcile_scale.run,
                     'ipa-model': ipamodel.run}
        for name in SCENARIOS + EXTRA_SCENARIOS:
            if name in args.scenario:
                env.ipa.reset()
                results[name] = scenarios[name](report, env, args)
    results['machine']['load_average_end'] = list(os.getloadavg())
    return results


def machine():
    model = ''
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return {'host': platform.node(), 'cpus': os.cpu_count(),
            'cpu_model': model, 'python': platform.python_version(),
            'kernel': platform.release(),
            'load_average': list(os.getloadavg())}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # SIGTERM stops every process the run started, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(2))
    report = reporting.Report()
    try:
        results = run(report, args)
    except Exception as exc:
        if not report.failures:
            print('benchmark failed: %s: %s' % (type(exc).__name__, exc))
        print('\nbenchmark FAILED; files and logs in the newest run-* under'
              ' %s' % os.path.relpath(os.path.join(REPO, '.sandbox', 'bench'),
                                      os.getcwd()))
        return 2
    targets, checks_ok = table.evaluate(results)
    results['targets'] = [{'target': name, 'passed': passed,
                           'measured': measured}
                          for name, passed, measured in targets]
    results['checks_ok'] = checks_ok
    print()
    print(table.render(results, targets, checks_ok))
    if 'ipa-model' in results:
        print()
        print(ipamodel.render(results['ipa-model']))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2, sort_keys=True)
            f.write('\n')
    print(json.dumps(results, sort_keys=True, default=str))
    if not checks_ok:
        return 1
    if not all(passed for _, passed, _ in targets) and not args.no_targets:
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
