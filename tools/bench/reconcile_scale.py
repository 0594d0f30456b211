"""Reconcile scenario: ``hosts list``, ``reconcile --dry-run`` and
``reconcile`` at N owned hosts.

One IPA simulator at ``--reconcile-latency-ms`` per call (reads and
writes), the nova stand-in paging servers 1,000 at a time as nova does,
N owned enrolled hosts of which 1 % are stale (instance gone, created two
days ago) and 200 hosts novajoin does not own. Each command runs as
``novajoin-manage`` in its own process; the figures per command: wall
seconds, IPA round trips (a batch counts once), ``host_find`` calls and
the process's peak RSS (``wait4`` in :mod:`bench.peak_rss`, so that the
memory of this process holding N hosts' data is not counted in);
``--reconcile-profile DIR`` runs each under cProfile into DIR. The
results are checked: every owned host listed once, exactly the stale
ones named and deleted, nothing else written. 100,000 hosts are
modelled, not run: the owner listing's searches against the model of
IPA's limits
(:mod:`bench.owner_search_model`), plus the other round trips each
command makes by design. Each size runs ``--repetitions`` times (seeded
afresh each time) and the medians are reported, with the load average
at the start: figures are only worth publishing from a quiet machine.
"""

import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import time
import uuid

from bench import owner_search_model
from bench import stats
from novajoin.hosts import inventory
from novajoin.hosts import ownership
from novajoin.hosts import reconcile_apply
from sandboxlib import report as reporting
from sandboxlib import stack
from tests.fixtures import novajoin_server

# Each command runs under this, so that its peak RSS is its own.
PEAK_RSS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'peak_rss.py')
FOREIGN = 200
STALE_SHARE = 0.01
NOVA_PAGE = 1000
SEED_CHUNK = 1000
MODELLED = 100000
COMMANDS = (('hosts list', ('hosts', 'list', '--format', 'json')),
            ('dry run', ('reconcile', '--dry-run')),
            ('reconcile', ('reconcile',)))


def _seed(env, count, report):
    """(owned fqdns, stale fqdns): hosts in IPA, servers in nova."""
    sim = env.ipa.first
    tag = uuid.uuid4().hex[:4]
    stale_count = int(count * STALE_SHARE)
    two_days_ago = ownership.utcnow() - datetime.timedelta(days=2)
    hosts = {}
    stale = set()
    env.standin.clear_servers()
    for number in range(count):
        instance_id = str(uuid.uuid4())
        fqdn = 'vm-%s-%06d.%s' % (tag, number, stack.DOMAIN)
        hosts[fqdn] = ownership.build_description(instance_id,
                                                  created=two_days_ago)
        if number < stale_count:
            stale.add(fqdn)
        else:
            env.standin.set_server(instance_id, project_id='p-bench')
    foreign = {'hand-%s-%03d.%s' % (tag, n, stack.DOMAIN): 'by hand %d' % n
               for n in range(FOREIGN)}

    entries = [{'fqdn': fqdn, 'description': description, 'enrolled': True}
               for fqdn, description in list(hosts.items())
               + list(foreign.items())]
    with report.step('seed %d owned hosts (%d stale) and %d foreign ones'
                     % (count, stale_count, FOREIGN)):
        for start in range(0, len(entries), SEED_CHUNK):
            sim.admin.seed_hosts(entries[start:start + SEED_CHUNK])
    return set(hosts), stale


def _run(program, conf, args, profile=None):
    """(exit status, stdout, stderr, wall s, peak RSS MB) of one command;
    with ``profile`` (a file name), run under cProfile writing to it.
    """
    started = time.perf_counter()
    command = [program, '--config-file', conf] + list(args)
    if profile:
        command = [sys.executable, '-m', 'cProfile', '-o', profile] + command
    peak_file = conf + '.peak'
    command = [sys.executable, PEAK_RSS, peak_file] + command
    with open(conf + '.out', 'w+') as out, open(conf + '.err', 'w+') as err:
        status = subprocess.call(command, stdout=out, stderr=err)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        with open(peak_file) as f:
            peak_kb = int(f.read())
        return status, out.read(), err.read(), wall, peak_kb / 1024.0


def _round_trips(sim):
    calls = sim.admin.stats()['calls']
    trips = sum(n for method, n in calls.items()
                if not method.startswith('batch:'))
    return trips, calls.get('host_find', 0)


def _check(name, result, owned, stale):
    status, stdout, stderr, _, _ = result
    reporting.expect(status == 0, '%s exited %s: %s', name, status,
                     stderr[-500:])
    if name == 'hosts list':
        rows = json.loads(stdout)
        fqdns = [row['fqdn'] for row in rows]
        reporting.expect(len(fqdns) == len(set(fqdns)) == len(owned)
                         and set(fqdns) == owned,
                         'hosts list: %d rows for %d owned hosts',
                         len(fqdns), len(owned))
        return
    action = 'would-delete' if name == 'dry run' else 'deleted'
    named = {line.split('|')[2].strip() for line in stdout.splitlines()
             if line.startswith('| %s ' % action)}
    reporting.expect(named == stale, '%s named %d hosts, %d are stale',
                     name, len(named), len(stale))


def _scenario(report, env, args, count, program, workdir):
    sim = env.ipa.first
    sim.admin.reset()
    owned, stale = _seed(env, count, report)
    conf = os.path.join(workdir, 'manage-%d.conf' % count)
    novajoin_server.write_config(conf, {
        'DEFAULT': {'domain': stack.DOMAIN,
                    'log_file': conf + '.log'},
        'service_credentials': env.ks.service_credentials_conf(),
        'ipa': stack.ipa_section(sim, workdir, timeout=60),
        'enrollment': {'otp_key_file': env.otp_key_file},
    })
    figures = {}
    for name, command in COMMANDS:
        sim.admin.reset_stats()
        with report.step('%s at %d owned hosts' % (name, count)):
            profile = None
            if args.reconcile_profile:
                os.makedirs(args.reconcile_profile, exist_ok=True)
                profile = os.path.join(args.reconcile_profile, '%d-%s.prof'
                                       % (count, name.replace(' ', '-')))
            result = _run(program, conf, command, profile)
            trips, finds = _round_trips(sim)
            _check(name, result, owned, stale)
            figures[name] = {'wall_s': round(result[3], 2),
                             'ipa_round_trips': trips, 'host_find': finds,
                             'peak_rss_mb': round(result[4], 1)}
            report.detail('%.1f s, %d IPA round trips, %d host_find, '
                          '%.0f MB peak RSS', result[3], trips, finds,
                          result[4])
        if name == 'reconcile':
            left = {entry['fqdn'][0] for entry in sim.admin.hosts()}
            reporting.expect(left & stale == set() and owned - stale <= left
                             and len(left) == len(owned) - len(stale)
                             + FOREIGN, 'reconcile deleted the wrong hosts')
    return figures


def modelled(count):
    """IPA round trips of each command at ``count`` owned hosts, by
    design: the listing's searches (model), the host_show batches, the
    service_find, the deletes.
    """
    _, searches = owner_search_model.count_searches(count)
    stale = int(count * STALE_SHARE)
    shows = math.ceil(count / inventory.SHOW_BATCH)
    deletes = math.ceil(stale / reconcile_apply.DELETE_BATCH)
    # Each process logs in once.
    return {'hosts list': {'ipa_round_trips': 1 + searches + shows + 1,
                           'host_find': searches},
            'dry run': {'ipa_round_trips': 1 + searches + shows,
                        'host_find': searches},
            'reconcile': {'ipa_round_trips': 1 + searches + shows + deletes,
                          'host_find': searches}}


def _medians(runs):
    """Per command, the median of each figure over the repetitions."""
    return {name: {key: statistics.median(run[name][key] for run in runs)
                   for key in runs[0][name]}
            for name in runs[0]}


def run(report, env, args):
    load = stats.settled_load(report)
    program = os.path.join(os.path.dirname(sys.executable),
                           'novajoin-manage')
    workdir = os.path.join(env.workdir, 'reconcile')
    os.makedirs(workdir, exist_ok=True)
    sim = env.ipa.first
    page_size = env.standin.page_size
    env.standin.page_size = NOVA_PAGE
    sim.admin.control(latency_ms=args.reconcile_latency_ms,
                      read_latency_ms=None, write_latency_ms=None)
    results = {'latency_ms': args.reconcile_latency_ms,
               'load_average_start': list(load),
               'repetitions': args.repetitions, 'sizes': {}, 'each': {}}
    try:
        for count in args.reconcile_sizes:
            runs = [_scenario(report, env, args, count, program, workdir)
                    for _ in range(args.repetitions)]
            results['sizes'][str(count)] = _medians(runs)
            results['each'][str(count)] = runs
    finally:
        env.standin.page_size = page_size
        env.standin.clear_servers()
        sim.admin.control(latency_ms=0, read_latency_ms=env.ipa.read_ms,
                          write_latency_ms=env.ipa.write_ms)
    results['modelled'] = {str(MODELLED): modelled(MODELLED)}
    results['load_average_end'] = list(os.getloadavg())
    return results


def render(out, figures):
    out.title('Reconcile at scale (%d ms per IPA call; 1 %% stale, %d '
              'foreign hosts; medians of %d; load average at start %s, '
              'end %s)' % (figures['latency_ms'], FOREIGN,
                           figures['repetitions'],
                           ' '.join('%.2f' % x for x in
                                    figures['load_average_start']),
                           ' '.join('%.2f' % x for x in
                                    figures['load_average_end'])))
    for count, commands in sorted(figures['sizes'].items(),
                                  key=lambda item: int(item[0])):
        for name, values in commands.items():
            out.row('%s owned, %s' % (count, name),
                    '%.1f s, %d round trips, %d host_find, %.0f MB'
                    % (values['wall_s'], values['ipa_round_trips'],
                       values['host_find'], values['peak_rss_mb']))
    for count, commands in figures['modelled'].items():
        for name, values in commands.items():
            out.row('%s owned (model), %s' % (count, name),
                    '%d round trips, %d host_find'
                    % (values['ipa_round_trips'], values['host_find']))
