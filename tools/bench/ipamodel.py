"""The ``ipa-model`` scenario: FreeIPA at realistic latencies.

IPA is the shared bottleneck of a booting cloud: each server serves 4
calls at a time, each call tens to hundreds of milliseconds. With
``--latency-ms`` (100 by default in this scenario) for reads and writes
alike, IPA and not this machine's CPU is the bottleneck, and the figure
that decides how fast a cloud boots is the IPA round trips per boot. The
ceiling IPA allows is ``servers x 4 / (latency x round trips per boot)``.

For each cache setup (one process with its in-process cache, nothing
configured; ``--workers`` processes sharing ``[cache]`` in memcached) and
each pattern of nova (config drive, 6 requests per boot; metadata service,
1 to 3), ``--repetitions`` storms (3) of ``--instances`` boots; medians of:
IPA round trips and writes per boot, boots/s and the share of the ceiling,
errors, p99, the API processes' CPU time per boot (every request of it)
and its two parts, measured apart after the storm: per enrollment, a pass
of ``--instances`` new instances asking once each (a boot's first
request), then per repeat, the same instances asking once more (answered
from the cache: that pass's IPA round trips are counted too); RSS per
process, start to first enrollment (spawn to
the first answer carrying an OTP; with start to ready, the first answer
to ``GET /``, and the part of IPA's latency in it, its round trips at
``--latency-ms`` each; the logins, made as the worker starts serving,
are counted apart). Where the CPU went during the storm
tells whether IPA or this machine was the limit: the machine's busy share
of its cores (``/proc/stat``) and the CPU seconds of the API, the
simulators and this process (the nova clients); and the IPA round trip
the API saw (p50 on the wire: the latency plus the simulator's own time),
with the share of the ceiling that round trip allows. The load average is
printed at the start: figures are only worth publishing from a quiet
machine (load average under 0.5).
"""

import argparse
import concurrent.futures
import os
import statistics
import subprocess
import time

from bench import api
from bench import boots
from bench import stats
from sandboxlib import nova

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# The tree the performance issue measured as "today": the layout issue
# merged, before the single batch and the caches.
BASELINE_REF = '4e9f73b41790e3bc7572108ce398109705c86b5c'

SETUPS = ('in-process', 'shared')
PATTERNS = ('config-drive', 'metadata-service')


def _cpu_seconds(pid):
    """User and system CPU seconds of ``pid`` and its children."""
    ticks = os.sysconf('SC_CLK_TCK')
    total = 0.0
    for candidate in [pid] + api._children(pid):
        try:
            with open('/proc/%d/stat' % candidate) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / float(ticks)
    return total


def _machine_ticks():
    """(busy, total) clock ticks of every core since boot."""
    with open('/proc/stat') as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _cpu_passes(env, args, server, token):
    """API CPU seconds per enrollment and per repeat, measured apart:
    ``--instances`` new instances ask once each, then once more. Also the
    IPA round trips of the repeats and the answers without an OTP.
    """
    instances = boots.make_instances(env, 'cpu-%x' % time.monotonic_ns(),
                                     args.instances)
    caller = boots.Caller(server.url, server.ca_file, token,
                          connections=args.clients)
    passes = []
    try:
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            for _ in range(2):
                env.ipa.reset_stats()
                cpu = _cpu_seconds(server.process.pid)
                results, _, _ = boots.fire(pool, caller, instances)
                cpu = _cpu_seconds(server.process.pid) - cpu
                passes.append((cpu / len(results),
                               env.ipa.stats()['round_trips'],
                               sum(1 for r in results
                                   if not (r.ok and r.otp))))
    finally:
        caller.close()
    (enroll, _, enroll_failed), (repeat, trips, repeat_failed) = passes
    return enroll, repeat, trips, enroll_failed + repeat_failed


def _first_enrollment(server, token, image_id, started, timeout=60.0):
    """Seconds from spawning the API to its first answer with an OTP."""
    caller = boots.Caller(server.url, server.ca_file, token)
    instance = nova.Instance('first-%d' % os.getpid())
    instance.image_id = image_id
    try:
        end = started + timeout
        while time.perf_counter() < end:
            result = caller.post_alone(instance)
            if result.ok and result.otp:
                return time.perf_counter() - started
            time.sleep(0.01)
    finally:
        caller.close()
    return None


def _one_storm(report, env, args, setup, pattern, token):
    workers = 1 if setup == 'in-process' else args.workers
    memcached = (getattr(env.memcached, 'server', None)
                 if setup == 'shared' else None)
    if setup == 'shared' and memcached is None:
        return None
    conf = api.sections(env, env.ipa, args, workers=workers,
                        auth=args.auth, memcached_servers=memcached)
    storm_args = argparse.Namespace(**vars(args))
    storm_args.pattern = pattern
    # Short: the API's readiness socket lives under it (AF_UNIX paths are
    # limited to 108 bytes).
    workdir = os.path.join(env.workdir, 'm%s%s%d' % (
        setup[0], pattern[0], time.monotonic_ns() % 100000))
    env.ipa.reset()
    env.ipa.reset_stats()
    started = time.perf_counter()
    sims = [sim.process.pid for sim in env.ipa.sims]
    with api.run(workdir, env, conf) as (server, ready):
        first = _first_enrollment(server, token, env.image_id, started)
        first_ipa = env.ipa.stats()
        # What IPA's latency adds to the first enrollment: its round trips
        # at --latency-ms each (the first request is alone). The logins,
        # made as the process starts serving, are counted apart.
        first_ipa_s = first_ipa['round_trips'] * args.latency_ms / 1000.0
        cpu = _cpu_seconds(server.process.pid)
        sims_cpu = sum(_cpu_seconds(pid) for pid in sims)
        machine = _machine_ticks()
        window = time.perf_counter()
        clients_cpu = time.process_time()
        offset = api.log_size(server)
        figures, _ = boots.storm(
            report, env, storm_args, server.url, server.ca_file, token,
            '%s, %s' % (setup, pattern), env.ipa)
        busy, total = (now - then for now, then
                       in zip(_machine_ticks(), machine))
        window = time.perf_counter() - window
        clients_cpu = time.process_time() - clients_cpu
        wire = api.slot_figures(api.log_since(server, offset))['wire_s']
        sims_cpu = sum(_cpu_seconds(pid) for pid in sims) - sims_cpu
        cpu = _cpu_seconds(server.process.pid) - cpu
        rss = api.rss_mb(server.process.pid)
        with report.step('%s: %d new instances ask once each, then once '
                         'more (CPU per enrollment and per repeat)'
                         % (setup, args.instances)):
            per_enrollment, per_repeat, repeat_trips, failed = _cpu_passes(
                env, args, server, token)
            report.detail('%.2f ms CPU per enrollment, %.2f ms per repeat; '
                          '%d IPA round trips for the repeats, %d answers '
                          'without an OTP', per_enrollment * 1000,
                          per_repeat * 1000, repeat_trips, failed)
    workers_rss = {pid: mb for pid, mb in rss.items()
                   if pid != server.process.pid} or rss
    # The warm-up boots ran in the CPU window too.
    boots_run = figures['instances'] + args.warmup
    trips = figures['ipa_calls_per_boot']
    ceiling = env.ipa.ceiling_at(args.latency_ms / 1000.0 * trips)
    # The ceiling at the round trip the API saw (latency plus the
    # simulator's own time on this machine's cores).
    wire_ceiling = env.ipa.ceiling_at((wire['p50'] or 0) * trips)
    return {
        'round_trips_per_boot': trips,
        'writes_per_boot': figures['ipa_writes_per_boot'],
        'boots_per_s': figures['boots_per_s'],
        'ceiling_boots_per_s': ceiling,
        'ipa_wire_p50_s': wire['p50'],
        'wire_ceiling_boots_per_s': wire_ceiling,
        'ceiling_share': (figures['boots_per_s'] / ceiling
                          if ceiling else None),
        'errors': figures['errors'],
        'p99_s': figures['latency_s']['p99'],
        'cpu_ms_per_boot': cpu * 1000.0 / boots_run,
        'cpu_ms_per_repeat': per_repeat * 1000.0,
        'cpu_ms_per_enrollment': per_enrollment * 1000.0,
        'repeat_pass_ipa_round_trips': repeat_trips,
        'cpu_passes_without_otp': failed,
        'machine_busy_share': busy / float(total) if total else None,
        'cpu_s_api': cpu,
        'cpu_s_simulators': sims_cpu,
        'cpu_s_clients': clients_cpu,
        'cpu_window_s': window,
        'boots_in_cpu_window': boots_run,
        'workers': workers,
        'cores': os.cpu_count(),
        'rss_mb': max(workers_rss.values()) if workers_rss else None,
        'first_enrollment_s': first,
        'start_to_ready_s': ready,
        'first_enrollment_ipa_s': first_ipa_s,
        'first_enrollment_ipa_logins': first_ipa['logins'],
        'consistent': figures['check']['ok'] and failed == 0,
        'check_problems': figures['check']['problems'][:5],
    }


def export_tree(repo, ref, workdir):
    """``ref``'s ``novajoin`` package, extracted under ``workdir``: the
    directory to put on the API's PYTHONPATH.
    """
    tree = os.path.join(workdir, 'src-%s' % ref.replace('/', '_'))
    os.makedirs(tree, exist_ok=True)
    archive = subprocess.run(['git', '-C', repo, 'archive', ref, '--',
                              'novajoin'],
                             stdout=subprocess.PIPE, check=True).stdout
    subprocess.run(['tar', '-x', '-C', tree], input=archive, check=True)
    return tree


def _fresh_process(report, env, args, token, label, source):
    """One API process (one worker, in-process cache) of ``source``'s
    tree (None: this one): start to ready and to first enrollment, then
    CPU per enrollment and per repeat, RSS.
    """
    conf = api.sections(env, env.ipa, args, workers=1, auth=args.auth)
    workdir = os.path.join(env.workdir, 'b%s%d' % (
        label[0], time.monotonic_ns() % 100000))
    env.ipa.reset()
    env.ipa.reset_stats()
    passes = argparse.Namespace(**vars(args))
    passes.instances = args.baseline_instances
    started = time.perf_counter()
    with api.run(workdir, env, conf, source=source) as (server, ready):
        first = _first_enrollment(server, token, env.image_id, started)
        with report.step('%s: start, first enrollment, %d new instances '
                         'ask once each, then once more' % (
                             label, passes.instances)):
            enroll, repeat, trips, failed = _cpu_passes(env, passes, server,
                                                        token)
            rss = api.rss_mb(server.process.pid)
            report.detail('ready %s, first enrollment %s; %.2f ms CPU per '
                          'enrollment, %.2f ms per repeat (%d IPA round '
                          'trips), %d without an OTP', stats.ms(ready),
                          stats.ms(first), enroll * 1000, repeat * 1000,
                          trips, failed)
    return {'start_to_ready_s': ready, 'first_enrollment_s': first,
            'cpu_ms_per_enrollment': enroll * 1000.0,
            'cpu_ms_per_repeat': repeat * 1000.0,
            'repeat_pass_ipa_round_trips': trips,
            'rss_mb': max(rss.values()) if rss else None,
            'failed': failed}


def compare_with_baseline(report, env, args, token, repo):
    """This tree and ``args.baseline_ref``'s under the same harness on the
    same machine, alternately, ``args.repetitions`` times: medians.
    """
    source = export_tree(repo, args.baseline_ref, env.workdir)
    runs = {'current': [], 'baseline': []}
    for _ in range(args.repetitions):
        runs['current'].append(_fresh_process(report, env, args, token,
                                              'this tree', None))
        runs['baseline'].append(_fresh_process(
            report, env, args, token, args.baseline_ref, source))
    return {'ref': args.baseline_ref,
            'instances': args.baseline_instances,
            'current': {key: _median(runs['current'], key)
                        for key in runs['current'][0]},
            'baseline': {key: _median(runs['baseline'], key)
                         for key in runs['baseline'][0]},
            'each': runs}


def _median(runs, key):
    values = [run[key] for run in runs if run.get(key) is not None]
    return statistics.median(values) if values else None


def run(report, env, args):
    """Every setup and pattern, ``args.repetitions`` times: medians; then
    the comparison with ``args.baseline_ref`` (unless ``none``).
    """
    load = stats.settled_load(report)
    token = env.ks.token_for('nova') if args.auth == 'keystone' else None
    results = {'load_average_start': list(load),
               'latency_ms': args.latency_ms,
               'servers': len(env.ipa.sims),
               'slots_per_server': env.ipa.max_concurrency,
               'repetitions': args.repetitions, 'cores': os.cpu_count(),
               'runs': {}}
    for setup in SETUPS:
        for pattern in PATTERNS:
            runs = []
            for _ in range(args.repetitions):
                figures = _one_storm(report, env, args, setup, pattern,
                                     token)
                if figures is None:
                    break
                runs.append(figures)
            if not runs:
                continue
            keys = runs[0].keys()
            results['runs']['%s/%s' % (setup, pattern)] = {
                'median': {key: _median(runs, key) for key in keys
                           if key not in ('consistent', 'check_problems')},
                'consistent': all(run['consistent'] for run in runs),
                'each': runs,
            }
    if args.baseline_ref != 'none':
        results['baseline'] = compare_with_baseline(report, env, args, token,
                                                    REPO)
    results['load_average_end'] = list(os.getloadavg())
    return results


def render(results):
    """The scenario's own table."""
    lines = ['IPA model: %d server(s) x %d calls at once, %d ms per call; '
             'load average at start %s, medians of %d'
             % (results['servers'], results['slots_per_server'],
                results['latency_ms'],
                ' '.join('%.2f' % x for x in results['load_average_start']),
                results['repetitions'])]
    header = ('trips/boot', 'writes', 'boots/s', 'ceiling', 'share',
              'errors', 'p99', 'CPU/boot', 'RSS', 'first')
    lines.append('%-27s' % 'setup/pattern'
                 + ''.join('%12s' % h for h in header))
    for name, run in results['runs'].items():
        m = run['median']
        cells = [
            _fmt(m['round_trips_per_boot']), _fmt(m['writes_per_boot']),
            _fmt(m['boots_per_s'], '%.1f'),
            _fmt(m['ceiling_boots_per_s'], '%.0f'),
            _fmt(None if m['ceiling_share'] is None
                 else m['ceiling_share'] * 100, '%.0f %%'),
            _fmt(m['errors'], '%d'), stats.ms(m['p99_s']),
            _fmt(m['cpu_ms_per_boot'], '%.1f ms'),
            _fmt(m['rss_mb'], '%.0f MB'),
            stats.ms(m['first_enrollment_s'])]
        lines.append('%-27s' % name + ''.join('%12s' % c for c in cells)
                     + ('' if run['consistent'] else '  INCONSISTENT'))
    lines.append('')
    lines.append('Where the CPU went during the storm (%d cores; shares of '
                 'the machine) and the repeat pass' % results['cores'])
    header = ('CPU/enroll', 'CPU/repeat', 'rep. trips', 'machine', 'API',
              'simulators', 'clients', 'ready', 'first IPA', 'IPA p50',
              'of wire')
    lines.append('%-27s' % 'setup/pattern'
                 + ''.join('%12s' % h for h in header))
    for name, run in results['runs'].items():
        m = run['median']
        capacity = results['cores'] * m['cpu_window_s']

        def share(seconds):
            return _fmt(seconds * 100.0 / capacity, '%.0f %%')
        cells = [
            _fmt(m['cpu_ms_per_enrollment'], '%.1f ms'),
            _fmt(m['cpu_ms_per_repeat'], '%.2f ms'),
            _fmt(m['repeat_pass_ipa_round_trips'], '%d'),
            _fmt(m['machine_busy_share'] * 100, '%.0f %%'),
            share(m['cpu_s_api']), share(m['cpu_s_simulators']),
            share(m['cpu_s_clients']), stats.ms(m['start_to_ready_s']),
            stats.ms(m['first_enrollment_ipa_s']),
            stats.ms(m['ipa_wire_p50_s']),
            _fmt(None if not m['wire_ceiling_boots_per_s']
                 else m['boots_per_s'] * 100.0
                 / m['wire_ceiling_boots_per_s'], '%.0f %%')]
        lines.append('%-27s' % name + ''.join('%12s' % c for c in cells))
    if results.get('baseline'):
        lines.append('')
        lines.append(render_baseline(results['baseline']))
    return '\n'.join(lines)


def render_baseline(baseline):
    """This tree against the baseline, fresh processes of one worker."""
    lines = ['Fresh process, one worker, in-process cache: this tree and %s '
             '(same harness and machine, alternately; %d new instances ask '
             'once, then once more)' % (baseline['ref'],
                                        baseline['instances'])]
    header = ('ready', 'first', 'CPU/enroll', 'CPU/repeat', 'rep. trips',
              'RSS')
    lines.append('%-27s' % 'tree' + ''.join('%12s' % h for h in header))
    for name in ('current', 'baseline'):
        m = baseline[name]
        lines.append('%-27s' % (baseline['ref'] if name == 'baseline'
                                else 'this tree') + ''.join(
            '%12s' % c for c in (
                stats.ms(m['start_to_ready_s']),
                stats.ms(m['first_enrollment_s']),
                _fmt(m['cpu_ms_per_enrollment'], '%.2f ms'),
                _fmt(m['cpu_ms_per_repeat'], '%.2f ms'),
                _fmt(m['repeat_pass_ipa_round_trips'], '%d'),
                _fmt(m['rss_mb'], '%.0f MB'))))
    return '\n'.join(lines)


def _fmt(value, fmt='%.2f'):
    return '-' if value is None else fmt % value
