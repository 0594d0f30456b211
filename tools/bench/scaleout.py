"""Scale-out on existing parts: haproxy, 3 API processes, 2 listeners.

haproxy (Debian's package) terminates TLS and balances over 3
``novajoin-server`` processes that share memcached; two ``novajoin-notify``
listeners consume one queue. The storm goes through haproxy, then nova
deletes every instance. Checks: one IPA host per instance and the same
OTP in every answer whichever process gave it; each process and each
listener did part of the work; every host was deleted once (a second
``host_del`` for one host would be a repeat).
"""

import collections
import contextlib
import os
import time

from bench import api
from bench import boots
from bench import ipa as bench_ipa
from bench import stats
from sandboxlib import nova
from sandboxlib import stack
from tests.fixtures import haproxy
from tests.fixtures import rabbit

API_PROCESSES = 3
LISTENERS = 2
POLL_INTERVAL = 0.1


def _fqdn(instance):
    return '%s.%s' % (instance.hostname, stack.DOMAIN)


def run(report, env, args):
    memcached = getattr(env.memcached, 'server', None)
    workdir = os.path.join(env.workdir, 'scaleout')
    os.makedirs(workdir, exist_ok=True)
    storm_args = _storm_args(args)
    with contextlib.ExitStack() as cleanup:
        with report.step('%d novajoin-server processes sharing memcached'
                         % API_PROCESSES):
            servers = []
            for n in range(API_PROCESSES):
                conf = api.sections(env, env.ipa, storm_args,
                                    workers=API_PROCESSES, auth=args.auth,
                                    memcached_servers=memcached)
                conf['DEFAULT']['workers'] = 1
                server, _ = cleanup.enter_context(api.run(
                    os.path.join(workdir, 'api%d' % n), env, conf,
                    name='novajoin-api%d' % n))
                servers.append(server)
        with report.step('haproxy in front of them (TLS, /healthcheck)'):
            url = cleanup.enter_context(haproxy.run_haproxy(
                workdir, env.ca, [s.url for s in servers]))
            report.detail('%s', url)
        token = env.ks.token_for('nova') if args.auth == 'keystone' else None
        offsets = [api.log_size(s) for s in servers]
        figures, instances = boots.storm(
            report, env, storm_args, url, env.ca.ca_file, token,
            'storm through haproxy', env.ipa)
        per_backend = {'api%d' % n: len(stats.request_lines(
            api.log_since(s, offsets[n]))) for n, s in enumerate(servers)}
        deleted = _delete_all(report, env, args, cleanup, workdir, instances)
    problems = list(figures['check']['problems'])
    if figures['check']['problem_count'] > len(problems):
        problems.append('... %d problems in the storm'
                        % figures['check']['problem_count'])
    idle = [name for name, count in per_backend.items() if not count]
    if idle:
        problems.append('API processes that served nothing: %s'
                        % ', '.join(idle))
    problems.extend(deleted['problems'])
    return {
        'storm': figures,
        'requests_per_backend': per_backend,
        'deletes_per_listener': deleted['per_listener'],
        'host_del_calls': deleted['host_del_calls'],
        'hosts': len(instances),
        'check': {'ok': not problems, 'problems': problems},
    }


def _storm_args(args):
    class StormArgs(object):
        pass
    storm_args = StormArgs()
    storm_args.__dict__.update(vars(args))
    storm_args.instances = args.scaleout_instances
    return storm_args


def _delete_all(report, env, args, cleanup, workdir, instances):
    pool = rabbit.unique_name('novajoin-notify-scaleout')
    vhost = cleanup.enter_context(rabbit.private_vhost('novajoin-scaleout'))
    logs = []
    with report.step('%d novajoin-notify listeners on one queue'
                     % LISTENERS):
        for n in range(LISTENERS):
            listener_dir = os.path.join(workdir, 'notify%d' % n)
            os.makedirs(listener_dir, exist_ok=True)
            sections = stack.notify_sections(env.ks, env.ipa.first,
                                             listener_dir,
                                             vhost.transport_url, pool)
            sections['ipa'] = bench_ipa.ipa_section(
                env.ipa, listener_dir,
                max_connections_per_server=max(
                    1, args.max_concurrency // LISTENERS))
            cleanup.enter_context(stack.run_notify_process(listener_dir,
                                                           sections))
            logs.append(sections['DEFAULT']['log_file'])
    transport = nova.publisher_transport(workdir, vhost.transport_url)
    cleanup.callback(transport.cleanup)
    notifier = nova.DeleteNotifier(transport)
    expected = {_fqdn(i) for i in instances}
    # By the time nova deletes them, replication has copied the hosts to
    # every server; the listeners' lookups may go to any of them.
    env.ipa.replicate(expected)
    env.ipa.reset_stats()
    with report.step('nova deletes the %d instances' % len(instances)):
        for instance in instances:
            notifier.versioned_delete(instance)
        deadline = time.monotonic() + args.delete_timeout
        while True:
            left = env.ipa.present_at_home(expected)
            if not left or time.monotonic() > deadline:
                break
            time.sleep(POLL_INTERVAL)
        report.detail('%d left in IPA', len(left))
    calls = env.ipa.stats()['calls']
    handled = collections.Counter()
    per_listener = {}
    for n, path in enumerate(logs):
        lines = [line for line in stats.notify_lines(stats.read_text(path))
                 if line['fqdn'] in expected]
        per_listener['listener%d' % n] = len(lines)
        handled.update(line['fqdn'] for line in lines
                       if line['outcome'] == 'deleted')
    problems = []
    if left:
        problems.append('%d hosts still in IPA after the deletes'
                        % len(left))
    twice = [fqdn for fqdn, count in handled.items() if count > 1]
    if twice:
        problems.append('%d hosts deleted by more than one handler: %s'
                        % (len(twice), ', '.join(sorted(twice)[:3])))
    idle = [name for name, count in per_listener.items() if not count]
    if idle:
        problems.append('listeners that handled nothing: %s'
                        % ', '.join(idle))
    host_del = calls.get('host_del', 0)
    if host_del > len(instances):
        problems.append('%d host_del calls for %d hosts'
                        % (host_del, len(instances)))
    return {'per_listener': per_listener, 'host_del_calls': host_del,
            'problems': problems}
