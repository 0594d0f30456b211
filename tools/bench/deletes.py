"""Delete stream: M nova delete notifications, novajoin-notify cleans IPA.

M enrolled hosts are seeded in the simulator with novajoin's ownership
description; nova knows none of the instances (it answers 404, as for a
deleted instance). The notifications are published on nova's exchange in
a private virtual host of the real broker while a poller lists the
simulator's hosts (every 0.05 s plus the listing: about 0.1 s resolution).
"""

import contextlib
import os
import threading
import time
import uuid

from bench import ipa as bench_ipa
from bench import stats
from novajoin.hosts import ownership
from sandboxlib import nova
from sandboxlib import report as reporting
from sandboxlib import stack
from tests.fixtures import rabbit

POLL_INTERVAL = 0.05


DEFAULT_MAX_IN_FLIGHT = 8


def _present(ipa, fqdns):
    """Hosts the server that got their delete still has."""
    return ipa.present_at_home(fqdns)


def _fqdn(instance):
    return '%s.%s' % (instance.hostname, stack.DOMAIN)


def _wait_gone(ipa, expected, deadline, progress=None):
    """Poll IPA until none of ``expected`` is left; what is left."""
    progress = {} if progress is None else progress
    while True:
        remaining = _present(ipa, expected)
        now = time.perf_counter()
        if 'first_gone' not in progress and len(remaining) < len(expected):
            progress['first_gone'] = now
        if not remaining:
            progress['clean'] = now
        if not remaining or now > deadline:
            return remaining
        time.sleep(POLL_INTERVAL)


def _publish(notifier, instances, fmt, times):
    times['publish_started'] = time.perf_counter()
    try:
        for instance in instances:
            if fmt == 'legacy':
                notifier.legacy_delete(instance)
            else:
                notifier.versioned_delete(instance)
    except Exception as exc:
        times['publish_error'] = '%s: %s' % (type(exc).__name__, exc)
    times['publish_done'] = time.perf_counter()


def run(report, env, args):
    batch = uuid.uuid4().hex[:6]
    instances = [nova.Instance('bench-del-%s-%04d' % (batch, n))
                 for n in range(args.deletes)]
    warmup = [nova.Instance('bench-del-%s-warmup-%d' % (batch, n))
              for n in range(args.warmup)]
    workdir = os.path.join(env.workdir, 'notify')
    os.makedirs(workdir, exist_ok=True)
    with report.step('seed %d enrolled hosts owned by novajoin on every '
                     'IPA server' % len(instances + warmup)):
        env.ipa.seed_replicated({
            _fqdn(instance): ownership.build_description(
                instance.instance_id) for instance in instances + warmup})
        expected = {_fqdn(i) for i in instances}
        report.detail('%d of them in IPA', len(_present(env.ipa, expected)))
    pool = rabbit.unique_name('novajoin-notify-bench')
    with contextlib.ExitStack() as cleanup:
        vhost = cleanup.enter_context(rabbit.private_vhost('novajoin-bench'))
        sections = stack.notify_sections(env.ks, env.ipa.first, workdir,
                                         vhost.transport_url, pool)
        sections['ipa'] = bench_ipa.ipa_section(
            env.ipa, workdir,
            max_connections_per_server=args.max_concurrency)
        if args.notify_max_in_flight:
            sections['notify']['max_in_flight'] = args.notify_max_in_flight
        log_file = sections['DEFAULT']['log_file']
        with report.step('novajoin-notify on RabbitMQ (private vhost)'):
            process = cleanup.enter_context(
                stack.run_notify_process(workdir, sections))
            report.detail('pid %s, vhost %s, pool %s', process.pid,
                          vhost.name, pool)
        transport = nova.publisher_transport(workdir, vhost.transport_url)
        cleanup.callback(transport.cleanup)
        notifier = nova.DeleteNotifier(transport)
        if warmup:
            with report.step('warm-up: %d delete(s), not counted'
                             % len(warmup)):
                times = {}
                _publish(notifier, warmup, args.delete_format, times)
                left = _wait_gone(env.ipa, {_fqdn(i) for i in warmup},
                                  time.perf_counter() + args.delete_timeout)
                reporting.expect(not left, 'warm-up hosts left: %s',
                                 ', '.join(sorted(left)))
        figures = _stream(report, env, args, notifier, instances, expected)
    lines = [line for line in stats.notify_lines(stats.read_text(log_file))
             if line['fqdn'] in expected]
    in_flight = args.notify_max_in_flight or DEFAULT_MAX_IN_FLIGHT
    deleted = max(1, figures['deleted'])
    ipa_stats = figures['ipa']
    concurrency = min(in_flight, len(env.ipa.sims) * args.max_concurrency)
    per_delete = (ipa_stats['reads'] * env.ipa.read_ms
                  + ipa_stats['writes'] * env.ipa.write_ms
                  ) / 1000.0 / deleted
    figures['ipa_calls_per_delete'] = ipa_stats['round_trips'] / deleted
    figures['ceiling_deletes_per_s'] = (concurrency / per_delete
                                        if per_delete else None)
    figures['ceiling_reached'] = (
        figures['deletes_per_s'] / figures['ceiling_deletes_per_s']
        if figures['deletes_per_s'] and figures['ceiling_deletes_per_s']
        else None)
    figures['listener'] = {
        'max_in_flight': in_flight,
        'log_file': log_file,
        'outcomes': stats.count(line['outcome'] for line in lines),
        'retried': sum(1 for line in lines if int(line['attempts']) > 1),
        'handler_s': stats.latency_summary(
            [float(line['duration']) for line in lines]),
    }
    return figures


def _stream(report, env, args, notifier, instances, expected):
    env.ipa.reset_stats()
    times = {}
    publisher = threading.Thread(
        target=_publish, args=(notifier, instances, args.delete_format,
                               times), name='publisher', daemon=True)
    title = ('nova publishes %d %s delete notifications; wait until IPA '
             'is clean' % (len(instances), args.delete_format))
    with report.step(title):
        started = time.perf_counter()
        publisher.start()
        progress = {}
        remaining = _wait_gone(env.ipa, expected,
                               started + args.delete_timeout, progress)
        first_gone = progress.get('first_gone')
        clean = progress.get('clean')
        publisher.join(30)
        ipa_stats = env.ipa.stats()
        done = len(expected) - len(remaining)
        if clean is None:
            report.detail('%d of %d hosts still in IPA after %ss',
                          len(remaining), len(expected), args.delete_timeout)
        else:
            report.detail('IPA clean after %.2fs', clean - started)
    until_clean = clean - started if clean is not None else None
    published = times.get('publish_done', time.perf_counter()) - started
    return {
        'notifications': len(instances),
        'format': args.delete_format,
        'published_s': published,
        'publish_error': times.get('publish_error'),
        'first_delete_s': (first_gone - started
                           if first_gone is not None else None),
        'until_clean_s': until_clean,
        'deleted': done,
        'remaining': len(remaining),
        'deletes_per_s': (done / until_clean if until_clean else None),
        'ipa': ipa_stats,
    }
