"""The benchmark's targets and its text table."""

from bench import reconcile_scale
from bench import stats

P99_TARGET_S = 1.0
CEILING_TARGET = 0.90
CALLS_PER_BOOT_TARGET = 1.5
SLOT_OVERHEAD_TARGET_S = 0.002
NOENROLL_TARGET = 0.50
FIRST_ANSWER_TARGET_S = 1.0
RSS_TARGET_MB = 100.0
# Issue 20: CPU per enrollment no worse than before the single batch and
# oslo.cache: 3.1 ms as the issue measured it on its machine. ipa-model's
# comparison with that tree (--baseline-ref) measures it on this one, and
# replaces this figure when it ran.
CPU_PER_ENROLLMENT_TARGET_MS = 3.1
# Issue 22: at 20,000 owned hosts each command within 60 s, 2 x N/100 IPA
# round trips and 200 MB.
RECONCILE_TARGET_SIZE = 20000
RECONCILE_WALL_TARGET_S = 60.0
RECONCILE_RSS_TARGET_MB = 200.0


def _pct(value):
    return '-' if value is None else '%.0f %%' % (value * 100)


def _num(value, fmt='%.2f'):
    return '-' if value is None else fmt % value


def cpu_limits(m):
    """Whether this machine rather than IPA held a storm back.

    The CPU that 90 % of the ceiling would take, from the CPU each boot
    took: the API's (each worker uses one core at most) and the whole
    machine's (the nova clients and the simulators share it); and the
    share of the ceiling at the IPA round trip the API saw (latency plus
    the time a reply waited for a busy CPU).
    """
    window, boots = m.get('cpu_window_s'), m.get('boots_in_cpu_window')
    if not (window and boots and m.get('ceiling_boots_per_s')):
        return 'no CPU figures'
    rate = CEILING_TARGET * m['ceiling_boots_per_s']
    api = m['cpu_s_api'] / boots * rate
    machine = m['machine_busy_share'] * m['cores'] * window / boots * rate
    wire = m.get('wire_ceiling_boots_per_s')
    return ('90 %% of the ceiling takes %.2f cores of the API\'s %d worker(s)'
            ' and %.2f of the machine\'s %d (%s busy); %s of the ceiling at '
            'the round trip seen (%s)' % (
                api, m['workers'], machine, m['cores'],
                _pct(m['machine_busy_share']),
                _pct(m['boots_per_s'] / wire if wire else None),
                stats.ms(m['ipa_wire_p50_s'])))


def evaluate(results):
    """[(target, passed, measured)] and whether every check held."""
    targets = []
    checks_ok = True

    def target(name, passed, measured):
        targets.append((name, bool(passed), measured))

    storm = results.get('storm')
    if storm:
        p99 = storm['latency_s']['p99']
        target('storm: >= 90 % of the IPA ceiling',
               (storm['ceiling_reached'] or 0) >= CEILING_TARGET,
               _pct(storm['ceiling_reached']))
        target('storm: 0 errors', storm['errors'] == 0, storm['errors'])
        target('storm: p99 <= 1 s', p99 is not None and p99 <= P99_TARGET_S,
               stats.ms(p99))
        target('storm: <= 1.5 IPA calls per boot',
               storm['ipa_calls_per_boot'] <= CALLS_PER_BOOT_TARGET,
               _num(storm['ipa_calls_per_boot']))
        target('storm: 1 IPA write per boot',
               abs(storm['ipa_writes_per_boot'] - 1.0) < 0.01,
               _num(storm['ipa_writes_per_boot']))
        overhead = storm['slots']['overhead_s']['p95']
        target('storm: slot held <= call + 2 ms (p95)',
               overhead is not None and overhead <= SLOT_OVERHEAD_TARGET_S,
               _num(None if overhead is None else overhead * 1000,
                    '%.1f ms'))
        target('RSS per worker <= 100 MB',
               storm['rss_mb_per_worker'] <= RSS_TARGET_MB,
               '%.0f MB' % storm['rss_mb_per_worker'])
        checks_ok = checks_ok and storm['check']['ok']
    noenroll = results.get('noenroll')
    if noenroll:
        target('no-enroll >= 50 % of bare eventlet TLS',
               (noenroll['ratio'] or 0) >= NOENROLL_TARGET,
               '%s (%s)' % (_pct(noenroll['ratio']), noenroll['text']))
    model = results.get('ipa-model')
    baseline = (model or {}).get('baseline')
    for name, run in sorted((model or {}).get('runs', {}).items()):
        m = run['median']
        target('ipa-model %s: <= 1.05 IPA round trips per boot' % name,
               m['round_trips_per_boot'] <= 1.05,
               _num(m['round_trips_per_boot']))
        target('ipa-model %s: 1 IPA write per boot' % name,
               abs(m['writes_per_boot'] - 1.0) < 0.05,
               _num(m['writes_per_boot']))
        target('ipa-model %s: >= 90 %% of the IPA ceiling, 0 errors, '
               'p99 < 5 s' % name,
               (m['ceiling_share'] or 0) >= CEILING_TARGET
               and m['errors'] == 0 and (m['p99_s'] or 99) < 5.0,
               '%s, %d errors, p99 %s; %s' % (
                   _pct(m['ceiling_share']), m['errors'],
                   stats.ms(m['p99_s']), cpu_limits(m)))
        target('ipa-model %s: RSS <= 100 MB, first enrollment <= 1 s'
               % name, (m['rss_mb'] or 999) <= RSS_TARGET_MB
               and (m['first_enrollment_s'] or 99) <= FIRST_ANSWER_TARGET_S,
               '%s MB, %s' % (_num(m['rss_mb'], '%.0f'),
                              stats.ms(m['first_enrollment_s'])))
        if baseline:
            target('ipa-model %s: repeats without IPA' % name,
                   m['repeat_pass_ipa_round_trips'] == 0,
                   '%d round trips' % m['repeat_pass_ipa_round_trips'])
        else:
            target('ipa-model %s: CPU per enrollment <= %.1f ms (the '
                   "issue's machine), repeats without IPA"
                   % (name, CPU_PER_ENROLLMENT_TARGET_MS),
                   m['cpu_ms_per_enrollment'] <= CPU_PER_ENROLLMENT_TARGET_MS
                   and m['repeat_pass_ipa_round_trips'] == 0,
                   '%.1f ms (%.2f ms per repeat), %d round trips' % (
                       m['cpu_ms_per_enrollment'], m['cpu_ms_per_repeat'],
                       m['repeat_pass_ipa_round_trips']))
        checks_ok = checks_ok and run['consistent']
    if baseline:
        now, then = baseline['current'], baseline['baseline']
        for key, what in (('cpu_ms_per_enrollment', 'CPU per enrollment'),
                          ('cpu_ms_per_repeat', 'CPU per repeat')):
            target('ipa-model: %s no worse than %s (same machine)'
                   % (what, baseline['ref'][:10]),
                   now[key] <= then[key],
                   '%.2f ms against %.2f ms' % (now[key], then[key]))
        target('ipa-model: start to first enrollment no worse than %s '
               '(same machine)' % baseline['ref'][:10],
               (now['first_enrollment_s'] or 99)
               <= (then['first_enrollment_s'] or 0),
               '%s against %s' % (stats.ms(now['first_enrollment_s']),
                                  stats.ms(then['first_enrollment_s'])))
        checks_ok = checks_ok and now['failed'] == 0
    drain = results.get('drain')
    if drain:
        target('drain: >= 90 % of its IPA ceiling',
               (drain['ceiling_reached'] or 0) >= CEILING_TARGET,
               _pct(drain['ceiling_reached']))
        target('drain: nothing lost', drain['remaining'] == 0
               and not drain['publish_error'],
               '%d of %d' % (drain['deleted'], drain['notifications']))
    startup = results.get('startup')
    if startup:
        first = startup['first_answer_s']
        target('start to first answer <= 1 s',
               first is not None and first <= FIRST_ANSWER_TARGET_S,
               stats.ms(first))
    scaleout = results.get('scaleout')
    if scaleout:
        checks_ok = checks_ok and scaleout['check']['ok']
    for count, commands in sorted(
            (results.get('reconcile') or {}).get('sizes', {}).items()):
        if int(count) < RECONCILE_TARGET_SIZE:
            continue
        for name, values in commands.items():
            target('%s at %s: <= %d s' % (name, count,
                                          RECONCILE_WALL_TARGET_S),
                   values['wall_s'] <= RECONCILE_WALL_TARGET_S,
                   '%.1f s' % values['wall_s'])
            allowed = 2 * int(count) // 100
            target('%s at %s: <= %d IPA round trips' % (name, count,
                                                        allowed),
                   values['ipa_round_trips'] <= allowed,
                   values['ipa_round_trips'])
            target('%s at %s: <= %d MB peak RSS' % (
                name, count, RECONCILE_RSS_TARGET_MB),
                values['peak_rss_mb'] <= RECONCILE_RSS_TARGET_MB,
                '%.0f MB' % values['peak_rss_mb'])
    return targets, checks_ok


def _latency(latency):
    return ' / '.join(stats.ms(latency[k]) for k in ('p50', 'p95', 'p99'))


def _storm_rows(out, figures):
    out.row('boots/s (requests/s)', '%s (%s)' % (
        stats.per_second(figures['boots_per_s']),
        stats.per_second(figures['requests_per_s'])))
    out.row('IPA ceiling', '%s, reached %s' % (
        stats.per_second(figures['ceiling_boots_per_s']),
        _pct(figures['ceiling_reached'])))
    out.row('p50 / p95 / p99', _latency(figures['latency_s']))
    out.row('errors; status', '%d; %s' % (figures['errors'],
                                          stats.pairs(figures['status'])))
    out.row('IPA calls / writes per boot', '%.2f / %.2f (%s)' % (
        figures['ipa_calls_per_boot'], figures['ipa_writes_per_boot'],
        stats.pairs(figures['ipa']['calls'])))
    check = figures['check']
    out.row('check', '%s: same OTP in every answer %d/%d, one IPA entry '
            '%d/%d' % ('OK' if check['ok'] else 'FAILED',
                       check['same_otp_in_every_answer'], check['instances'],
                       check['one_host_entry'], check['instances']))
    for problem in check['problems'][:6]:
        out.row('', problem)


def render(results, targets, checks_ok):
    params = results['parameters']
    machine = results['machine']
    ipa = results['ipa']
    out = stats.Table()
    out.title('novajoin benchmark, %s' % results['started'])
    out.row('machine', '%s CPUs (%s), Python %s, kernel %s' % (
        machine['cpus'], machine['cpu_model'] or '?', machine['python'],
        machine['kernel']))
    out.row('load average', 'start %.2f, end %.2f' % (
        machine['load_average'][0], machine['load_average_end'][0]))
    out.row('IPA', '%d server(s) x %d at once, reads %d ms, writes %d ms'
            % (ipa['servers'], ipa['max_concurrency'],
               ipa['read_latency_ms'], ipa['write_latency_ms']))
    out.row('memcached', 'yes' if ipa['memcached'] else 'no')
    storm = results.get('storm')
    if storm:
        out.title('Storm: %d instances, %d clients, %s, %d worker(s), auth '
                  '%s' % (params['instances'], params['clients'],
                          params['pattern'], storm['workers'],
                          params['auth']))
        _storm_rows(out, storm)
        slots = storm['slots']
        out.row('slot held - wire p50/p95/p99', ' / '.join(
            '%.1f ms' % (slots['overhead_s'][k] * 1000)
            if slots['overhead_s'][k] is not None else '-'
            for k in ('p50', 'p95', 'p99')))
        out.row('slot held / wire p95', '%s / %s (waited p95 %s)' % (
            stats.ms(slots['held_s']['p95']), stats.ms(slots['wire_s']['p95']),
            stats.ms(slots['waited_s']['p95'])))
        out.row('RSS per worker', '%.0f MB' % storm['rss_mb_per_worker'])
    noenroll = results.get('noenroll')
    if noenroll:
        out.title('No-enroll path, 1 worker, keystone with a cached token')
        out.row('novajoin / hello-world', '%s = %s' % (
            noenroll['text'], _pct(noenroll['ratio'])))
        out.row('novajoin p50 / p95 / p99',
                _latency(noenroll['novajoin']['latency_s']))
        out.row('errors', noenroll['novajoin']['errors'])
    drain = results.get('drain')
    if drain:
        out.title('Drain: %d %s deletes, novajoin-notify max_in_flight %s'
                  % (drain['notifications'], drain['format'],
                     drain['listener']['max_in_flight']))
        out.row('deletes/s', stats.per_second(drain['deletes_per_s']))
        out.row('IPA ceiling', '%s, reached %s' % (
            stats.per_second(drain['ceiling_deletes_per_s']),
            _pct(drain['ceiling_reached'])))
        out.row('IPA calls per delete', '%.2f (%s)' % (
            drain['ipa_calls_per_delete'], stats.pairs(drain['ipa']['calls'])))
        out.row('deleted / remaining', '%d / %d' % (drain['deleted'],
                                                    drain['remaining']))
    startup = results.get('startup')
    if startup:
        out.title('Start-up')
        out.row('start to first answer', stats.ms(startup['first_answer_s']))
        out.row('idle RSS', _num(startup['rss_mb_idle'], '%.0f MB'))
    scaleout = results.get('scaleout')
    if scaleout:
        out.title('Scale-out: haproxy, 3 novajoin-server, memcached, 2 '
                  'listeners')
        _storm_rows(out, scaleout['storm'])
        check = scaleout['check']
        out.row('requests per backend', stats.pairs(
            scaleout['requests_per_backend']))
        out.row('deletes per listener', stats.pairs(
            scaleout['deletes_per_listener']))
        out.row('host_del calls / hosts', '%d / %d' % (
            scaleout['host_del_calls'], scaleout['hosts']))
        out.row('check', 'OK' if check['ok'] else 'FAILED')
        for problem in check['problems'][:6]:
            out.row('', problem)
    if results.get('reconcile'):
        reconcile_scale.render(out, results['reconcile'])
    out.title('Targets')
    for name, passed, measured in targets:
        out.lines.append('  %-4s  %-42s %s' % ('PASS' if passed else 'FAIL',
                                               name, measured))
    out.lines.append('  %-4s  consistency checks'
                     % ('PASS' if checks_ok else 'FAIL'))
    return out.text()
