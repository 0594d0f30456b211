#!/usr/bin/env python3
"""novajoin's benchmark: boot storms and delete streams on this machine.

Run by ``tox -e bench`` (``python tools/bench/run.py``). It starts what the
sandbox starts (``tools/sandboxlib``, the functional tests' fixtures): a
throwaway CA, the IPA simulator with ``--ipa-latency-ms`` per command,
Keystone and the Glance/nova stand-in, all over TLS on 127.0.0.1. The
``boots`` scenario serves the API with ``novajoin-server`` (or uWSGI,
``--runner``) and lets ``--instances`` instances ask for vendordata at
once through ``--concurrency`` client threads, then once more; it reports
requests/s, latency percentiles, statuses, answers slower than nova's 5 s
timeout and IPA round trips, and checks that every instance got an OTP,
exactly one IPA host entry and the same OTP on the repeat request. The
``deletes`` scenario seeds ``--deletes`` hosts owned by novajoin, runs
``novajoin-notify`` on the RabbitMQ broker at 127.0.0.1:5672 (a private
virtual host) and publishes as many nova delete notifications; it reports
the time until IPA is clean and deletes/s. Targets (at the defaults):
boots p99 under 5 s with no errors, every delete done. The exit status
is 1 for a failed target (unless ``--no-targets``) or a failed
correctness check, 2 when the benchmark could not run. ``--json FILE``
writes every figure; work files and logs stay in ``.sandbox/bench/``.
Performance targets live here, never in timed test assertions.
"""

import argparse
import contextlib
import dataclasses
import datetime
import json
import os
import platform
import sys
import warnings

# oslo.messaging imports oslo.service's eventlet backend, which warns at
# import; this process uses no eventlet and the warning only hides output.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, 'tools'))

from bench import boots  # noqa: E402
from bench import deletes  # noqa: E402
from bench import stats  # noqa: E402
from sandboxlib import report as reporting  # noqa: E402
from sandboxlib import stack  # noqa: E402
from tests.fixtures import keystone  # noqa: E402
from tests.fixtures import openstack_standin  # noqa: E402
from tests.fixtures import tls  # noqa: E402

P99_TARGET_S = 5.0
SHOWN_PROBLEMS = 6
DEFAULTS = {'instances': 200, 'concurrency': 50, 'ipa_latency_ms': 20,
            'deletes': 200}


@dataclasses.dataclass
class Environment(object):
    workdir: str
    ca: object
    otp_key_file: str
    ipa: object
    ks: object
    standin: object


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--scenario', choices=('boots', 'deletes', 'both'),
                        default='both', help='default: %(default)s')
    parser.add_argument('--runner',
                        choices=('novajoin-server', 'uwsgi', 'both'),
                        default='novajoin-server',
                        help='what serves the API for the boots; default: '
                             '%(default)s')
    parser.add_argument('--instances', '-n', type=int,
                        default=DEFAULTS['instances'],
                        help='instances booting at once; default: '
                             '%(default)s')
    parser.add_argument('--concurrency', '-c', type=int,
                        default=DEFAULTS['concurrency'],
                        help='concurrent clients (nova metadata API '
                             'workers); default: %(default)s')
    parser.add_argument('--warmup', type=int, default=10,
                        help='uncounted requests (and deletes) first; 0 '
                             'measures cold services (IPA login, tokens, '
                             'image lookup); default: %(default)s')
    parser.add_argument('--ipa-latency-ms', type=int,
                        default=DEFAULTS['ipa_latency_ms'],
                        help='added by the IPA simulator to every command; '
                             'default: %(default)s')
    parser.add_argument('--auth', choices=('noauth', 'keystone'),
                        default='noauth',
                        help="the API's auth_strategy; keystone: nova's "
                             'token, checked by keystonemiddleware; '
                             'default: %(default)s')
    parser.add_argument('--workers', type=int, default=None,
                        help="novajoin-server's [DEFAULT] workers; default: "
                             "novajoin's own (1)")
    parser.add_argument('--deletes', '-m', type=int,
                        default=DEFAULTS['deletes'],
                        help='hosts deleted by notifications; default: '
                             '%(default)s')
    parser.add_argument('--delete-format', choices=('versioned', 'legacy'),
                        default='versioned',
                        help="nova's notification format; default: "
                             '%(default)s')
    parser.add_argument('--delete-timeout', type=float, default=300.0,
                        help='seconds to wait for IPA to be clean; default: '
                             '%(default)s')
    parser.add_argument('--notify-max-in-flight', type=int, default=None,
                        help="novajoin-notify's [notify] max_in_flight; "
                             "default: novajoin's own (8)")
    parser.add_argument('--json', metavar='FILE',
                        help='also write every figure to FILE as JSON')
    parser.add_argument('--no-targets', action='store_true',
                        help='report the targets but do not fail on them '
                             '(correctness checks still count)')
    args = parser.parse_args(argv)
    for name in ('instances', 'concurrency', 'deletes'):
        if getattr(args, name) < 1:
            parser.error('--%s must be at least 1' % name)
    for name in ('workers', 'notify_max_in_flight'):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error('--%s must be at least 1' % name.replace('_', '-'))
    if args.warmup < 0 or args.ipa_latency_ms < 0:
        parser.error('--warmup and --ipa-latency-ms must be >= 0')
    return args


@contextlib.contextmanager
def environment(report, args):
    workdir = stack.make_workdir(os.path.join(REPO, '.sandbox', 'bench'))
    with contextlib.ExitStack() as cleanup:
        with report.step('throwaway CA and work directory'):
            ca = tls.TestCA(os.path.join(workdir, 'ca'), 'novajoin bench CA')
            otp_key_file = stack.write_otp_key(workdir)
            report.detail('%s', os.path.relpath(workdir, os.getcwd()))
        with report.step('IPA simulator over TLS, %d ms per command'
                         % args.ipa_latency_ms):
            ipa = cleanup.enter_context(stack.start_ipa_simulator(
                workdir, ca, latency_ms=args.ipa_latency_ms))
            report.detail('%s realm %s', ipa.url, ipa.realm)
        with report.step('Keystone (sqlite, uWSGI, TLS) and the '
                         'Glance/nova/neutron stand-in'):
            ks = cleanup.enter_context(keystone.run_keystone(
                os.path.join(workdir, 'keystone'), ca=ca))
            standin = cleanup.enter_context(
                openstack_standin.run_openstack_standin(ks, ca=ca))
            report.detail('Keystone %s, stand-in %s', ks.auth_url,
                          standin.url)
        yield Environment(workdir, ca, otp_key_file, ipa, ks, standin)


def runners(args):
    if args.runner == 'both':
        return ['novajoin-server', 'uwsgi']
    return [args.runner]


def run(report, args):
    results = {
        'started': datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'),
        'machine': {'host': platform.node(), 'cpus': os.cpu_count(),
                    'python': platform.python_version(),
                    'load_average': list(os.getloadavg())},
        'parameters': {k: v for k, v in vars(args).items()
                       if k not in ('json', 'no_targets')},
        'boots': [],
        'deletes': None,
    }
    with environment(report, args) as env:
        results['workdir'] = env.workdir
        if args.scenario in ('boots', 'both'):
            for runner in runners(args):
                results['boots'].append(boots.run(report, env, args, runner))
        if args.scenario in ('deletes', 'both'):
            results['deletes'] = deletes.run(report, env, args)
    return results


def evaluate(results):
    """[(target, passed, measured)] and whether every check held."""
    targets = []
    checks_ok = True
    for boot in results['boots']:
        wave = boot['boot']
        p99 = wave['latency_s']['p99']
        name = 'boots %s: p99 < %.0f s' % (boot['runner'], P99_TARGET_S)
        targets.append((name,
                        p99 is not None and p99 < P99_TARGET_S,
                        stats.ms(p99)))
        errors = wave['errors'] + boot['repeat']['errors']
        targets.append(('boots %s: 0 errors' % boot['runner'], errors == 0,
                        '%d' % errors))
        checks_ok = checks_ok and boot['check']['ok']
    removal = results['deletes']
    if removal is not None:
        targets.append(('deletes: all done', removal['remaining'] == 0
                        and not removal['publish_error'],
                        '%d of %d' % (removal['deleted'],
                                      removal['notifications'])))
    return targets, checks_ok


def _latency_row(latency):
    return ' / '.join(stats.ms(latency[k])
                      for k in ('p50', 'p95', 'p99', 'max'))


def _ipa_row(ipa):
    return '%d (%s); logins %d' % (ipa['round_trips'],
                                   stats.pairs(ipa['calls']), ipa['logins'])


def table(results, targets, checks_ok):
    params = results['parameters']
    machine = results['machine']
    out = stats.Table()
    out.title('novajoin benchmark, %s' % results['started'])
    out.row('machine', '%s, %s CPUs, Python %s, load %.2f at start'
            % (machine['host'], machine['cpus'], machine['python'],
               machine['load_average'][0]))
    out.row('setup', 'TLS on 127.0.0.1; IPA simulator %d ms per command'
            % params['ipa_latency_ms'])
    out.row('API auth_strategy', params['auth'])
    for boot in results['boots']:
        out.title('Concurrent boots: %s (%s)' % (boot['runner'],
                                                 boot['server_layout']))
        out.row('instances / clients', '%d / %d (warm-up %d)'
                % (params['instances'], params['concurrency'],
                   params['warmup']))
        for name in ('boot', 'repeat'):
            wave = boot[name]
            out.row('%s wave' % name, '%.2f s, %s (client CPU %.2f s)' % (
                wave['wall_s'], stats.per_second(wave['requests_per_s']),
                wave['client_cpu_s']))
            out.row('  p50 / p95 / p99 / max', _latency_row(
                wave['latency_s']))
            out.row('  status', stats.pairs(wave['status']))
            out.row("  over nova's 5 s timeout", wave['over_nova_timeout'])
            server = wave['server']
            out.row('  server decisions', stats.pairs(server['decisions']))
            out.row('  server p50 / p99', '%s / %s (%d log lines)' % (
                stats.ms(server['duration_s']['p50']),
                stats.ms(server['duration_s']['p99']),
                server['log_lines']))
            per_request = server['ipa_calls_per_request']
            out.row('  IPA round trips', _ipa_row(wave['ipa']))
            out.row('  IPA calls per request', '-' if per_request is None
                    else '%.2f (server log); peak %s at once in IPA'
                    % (per_request, wave['ipa']['concurrent_peak']))
        check = boot['check']
        out.row('check', 'OK' if check['ok'] else 'FAILED')
        for key, label in (('with_otp', 'with an OTP'),
                           ('one_host_entry', 'exactly one IPA entry'),
                           ('same_otp_on_repeat', 'same OTP on repeat')):
            out.row('  ' + label, '%d/%d' % (check[key], check['instances']))
        for problem in check['problems'][:SHOWN_PROBLEMS]:
            out.row('', problem)
        if check['problem_count'] > SHOWN_PROBLEMS:
            out.row('', '... %d problems in all (more in --json)'
                    % check['problem_count'])
    removal = results['deletes']
    if removal is not None:
        listener = removal['listener']
        out.title('Delete stream: novajoin-notify on RabbitMQ (max_in_flight'
                  ' %s)' % listener['max_in_flight'])
        out.row('notifications', '%d %s, published in %.2f s' % (
            removal['notifications'], removal['format'],
            removal['published_s']))
        if removal['publish_error']:
            out.row('publish error', removal['publish_error'])
        out.row('first host gone after', stats.ms(removal['first_delete_s']))
        out.row('IPA clean after', '-' if removal['until_clean_s'] is None
                else '%.2f s' % removal['until_clean_s'])
        out.row('deletes/s', stats.per_second(removal['deletes_per_s']))
        out.row('deleted / remaining',
                '%d / %d' % (removal['deleted'], removal['remaining']))
        out.row('listener outcomes', '%s; retried %d' % (
            stats.pairs(listener['outcomes']), listener['retried']))
        out.row('handler p50 / p99', '%s / %s' % (
            stats.ms(listener['handler_s']['p50']),
            stats.ms(listener['handler_s']['p99'])))
        out.row('IPA round trips', _ipa_row(removal['ipa']))
    out.title('Targets')
    changed = sorted(k for k, v in DEFAULTS.items() if params[k] != v)
    if changed:
        out.row('note', 'set for the defaults; changed here: %s'
                % ', '.join(changed))
    for name, passed, measured in targets:
        out.lines.append('  %-4s  %-36s %s' % ('PASS' if passed else 'FAIL',
                                               name, measured))
    if results['boots']:
        out.lines.append('  %-4s  correctness checks'
                         % ('PASS' if checks_ok else 'FAIL'))
    return out.text()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
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
    targets, checks_ok = evaluate(results)
    results['targets'] = [{'target': name, 'passed': passed,
                           'measured': measured}
                          for name, passed, measured in targets]
    results['checks_ok'] = checks_ok
    print()
    print(table(results, targets, checks_ok))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2, sort_keys=True)
            f.write('\n')
        print('\nfigures written to %s' % args.json)
    targets_ok = all(passed for _, passed, _ in targets)
    if not checks_ok:
        return 1
    if not targets_ok and not args.no_targets:
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
