"""Boot storm: N instances boot at once; nova asks for vendordata as it does.

nova builds a config drive with 6 vendordata requests per instance; the
metadata service makes 1 to 3 (``--pattern``). C client threads play the
metadata and compute processes, each with its own HTTP connection, so the
requests of one instance reach novajoin over different connections (and
different workers); each waits for the answer to the one before, as nova
does, so an instance's repeats come within a second or two.
"""

import collections
import concurrent.futures
import dataclasses
import queue
import random
import time

import requests

from bench import ipa as bench_ipa
from bench import stats
from novajoin.hosts import ownership
from sandboxlib import nova
from sandboxlib import stack

# nova's DynamicJSON client gives up after this (connect and read).
NOVA_TIMEOUT_S = float(nova.NOVA_TIMEOUT[1])
PATTERNS = {'config-drive': (6, 6), 'metadata-service': (1, 3)}


@dataclasses.dataclass
class Result(object):
    instance: nova.Instance
    status: str
    latency: float
    body: dict = None

    @property
    def ok(self):
        return self.status == '200'

    @property
    def otp(self):
        return (self.body or {}).get('ipaotp')


class Caller(object):
    """POSTs as nova does, over ``connections`` kept-alive connections.

    Each request takes whichever connection is free, so the requests of
    one instance reach novajoin over different connections (and workers),
    as requests from nova's metadata and compute processes do.
    """

    def __init__(self, url, ca_file, token=None, connections=1):
        self.url = url.rstrip('/') + '/v1'
        self.ca_file = ca_file
        self.headers = dict(nova.NOVA_HEADERS)
        if token:
            self.headers['X-Auth-Token'] = token
        self._sessions = [requests.Session() for _ in range(connections)]
        self._free = queue.Queue()
        for session in self._sessions:
            self._free.put(session)

    def post(self, instance):
        """One vendordata request; a :class:`Result`, never an exception."""
        session = self._free.get()
        try:
            return self._post(session, instance)
        finally:
            self._free.put(session)

    def post_alone(self, instance):
        """One request on a connection of its own (a new accept)."""
        with requests.Session() as session:
            return self._post(session, instance)

    def _post(self, session, instance):
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
                      body if isinstance(body, dict) else None)

    def close(self):
        for session in self._sessions:
            session.close()


def requests_per_boot(instances, pattern, seed=13):
    """How many vendordata requests nova makes for each instance."""
    low, high = PATTERNS[pattern]
    rng = random.Random(seed)
    return [rng.randint(low, high) for _ in instances]


def fire(pool, caller, instances, counts=None):
    """Every instance's requests, one after the other (nova waits for each
    answer), instances in parallel: (results, wall seconds, CPU seconds
    this process used meanwhile).
    """
    counts = counts or [1] * len(instances)

    def boot(item):
        instance, count = item
        return [caller.post(instance) for _ in range(count)]

    cpu = time.process_time()
    started = time.perf_counter()
    results = [result for answers in pool.map(boot, zip(instances, counts))
               for result in answers]
    return (results, time.perf_counter() - started,
            time.process_time() - cpu)


def latency_figures(results, wall):
    latencies = [r.latency for r in results]
    return {
        'requests': len(results),
        'wall_s': wall,
        'requests_per_s': len(results) / wall if wall else None,
        'latency_s': stats.latency_summary(latencies),
        'status': stats.count(r.status for r in results),
        'errors': sum(1 for r in results if not r.ok),
        'over_nova_timeout': sum(
            1 for r in results
            if r.status == 'timeout' or r.latency > NOVA_TIMEOUT_S),
    }


def check(results, host_entries):
    """Every instance: an OTP, the same one in every answer, exactly one
    IPA entry in the whole deployment (so on one server).
    """
    owned = collections.defaultdict(list)
    for server, entry in host_entries:
        record = ownership.owner_of(entry)
        if record is not None:
            owned[record.instance_id].append(
                (server, bench_ipa.entry_fqdn(entry)))
    answers = collections.defaultdict(list)
    for result in results:
        answers[result.instance.instance_id].append(result)
    problems = []
    counts = collections.Counter()
    for instance_id, mine in answers.items():
        instance = mine[0].instance
        name = instance.hostname
        fqdn = '%s.%s' % (name, stack.DOMAIN)
        otps = {r.otp for r in mine if r.ok}
        failed = [r.status for r in mine if not r.ok or not r.otp]
        if failed:
            problems.append('%s: %d of %d answers without an OTP (%s)'
                            % (name, len(failed), len(mine),
                               ', '.join(sorted(set(failed)))))
        elif len(otps) != 1:
            problems.append('%s: %d different OTPs in %d answers'
                            % (name, len(otps), len(mine)))
        else:
            counts['same_otp'] += 1
        if any((r.body or {}).get('hostname') not in (None, fqdn)
               for r in mine):
            problems.append('%s: an answer named another host' % name)
        entries = owned.get(instance_id, [])
        if [f for _, f in entries] == [fqdn]:
            counts['one_host_entry'] += 1
        else:
            problems.append('%s: %d IPA entries owned by the instance'
                            % (name, len(entries)))
    return {
        'instances': len(answers),
        'same_otp_in_every_answer': counts['same_otp'],
        'one_host_entry': counts['one_host_entry'],
        'ok': not problems,
        'problem_count': len(problems),
        'problems': problems[:20],
    }


def make_instances(env, prefix, count):
    image_id = env.image_id
    made = []
    for n in range(count):
        instance = nova.Instance('%s-%04d' % (prefix, n))
        instance.image_id = image_id
        made.append(instance)
    return made


def storm(report, env, args, url, ca_file, token, title, ipa, extra=None):
    """The storm against ``url``: (figures with the consistency check,
    the instances).
    """
    tag = '%x' % random.getrandbits(24)
    instances = make_instances(env, 'storm-%s' % tag, args.instances)
    warmup = make_instances(env, 'warm-%s' % tag, args.warmup)
    caller = Caller(url, ca_file, token, connections=args.clients)
    with concurrent.futures.ThreadPoolExecutor(
            max_workers=args.clients, thread_name_prefix='nova') as pool:
        try:
            if warmup:
                with report.step('warm-up: %d boot(s), not counted'
                                 % len(warmup)):
                    # One at a time on new connections first, so that every
                    # process fills its caches (token, image, project)
                    # before the crowd arrives.
                    for instance in warmup[:len(warmup) // 2]:
                        caller.post_alone(instance)
                    fire(pool, caller, warmup,
                         requests_per_boot(warmup, args.pattern))
            counts = requests_per_boot(instances, args.pattern)
            with report.step('%s: %d instances, %d requests (%s), %d '
                             'clients' % (title, len(instances), sum(counts),
                                          args.pattern, args.clients)):
                ipa.reset_stats()
                results, wall, cpu = fire(pool, caller, instances, counts)
                ipa_stats = ipa.stats()
                report.detail('%.2fs, status %s', wall, stats.pairs(
                    stats.count(r.status for r in results)))
        finally:
            caller.close()
    with report.step('check: one OTP per instance in every answer, one '
                     'IPA entry each'):
        verdict = check(results, ipa.hosts())
        report.detail('%d/%d same OTP, %d/%d one entry',
                      verdict['same_otp_in_every_answer'],
                      verdict['instances'], verdict['one_host_entry'],
                      verdict['instances'])
    figures = latency_figures(results, wall)
    figures['client_cpu_s'] = cpu
    figures['instances'] = len(instances)
    figures['boots_per_s'] = len(instances) / wall if wall else None
    figures['ipa'] = ipa_stats
    boots = float(len(instances))
    figures['ipa_calls_per_boot'] = ipa_stats['round_trips'] / boots
    figures['ipa_writes_per_boot'] = ipa_stats['writes'] / boots
    ceiling = ipa.ceiling(ipa_stats['reads'] / boots,
                          ipa_stats['writes'] / boots)
    figures['ceiling_boots_per_s'] = ceiling
    figures['ceiling_reached'] = (figures['boots_per_s'] / ceiling
                                  if ceiling else None)
    figures['check'] = verdict
    figures.update(extra or {})
    return figures, instances
