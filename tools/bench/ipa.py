"""The simulated IPA deployment: N servers, 4 calls at a time each.

FreeIPA answers JSON-RPC from 4 single-threaded WSGI processes per server
(``WSGI_PROCESSES``), so each simulator serves at most ``max_concurrency``
calls at once and queues the rest, as httpd does. Reads and writes may
take different times: writes are the expensive ones in 389-ds.
"""

import collections
import concurrent.futures
import contextlib
import os

from novajoin.ipa import deployment as ipa_deployment
from novajoin.ipa import routing
from sandboxlib import stack
from tests.fixtures import ipasim

SEED_THREADS = 8

# Commands that change the directory; everything else only reads.
WRITE_PREFIXES = ('host_add', 'host_mod', 'host_del', 'host_disable',
                  'service_add', 'service_mod', 'service_del',
                  'service_disable', 'dnsrecord_add', 'dnsrecord_del',
                  'dnsrecord_mod')
BATCH_ITEM = 'batch:'


def entry_fqdn(entry):
    fqdn = entry.get('fqdn')
    return fqdn[0] if isinstance(fqdn, list) else fqdn


def is_write(method):
    return method.startswith(WRITE_PREFIXES)


class Deployment(object):
    """The simulators of one run, seen as one IPA deployment."""

    def __init__(self, sims, max_concurrency, read_ms, write_ms):
        self.sims = sims
        self.max_concurrency = max_concurrency
        self.read_ms = read_ms
        self.write_ms = write_ms

    @property
    def first(self):
        return self.sims[0]

    def servers_option(self):
        return ','.join('localhost:%d' % sim.port for sim in self.sims)

    def reset_stats(self):
        for sim in self.sims:
            sim.admin.reset_stats()

    def reset(self):
        """No hosts, as at the start: the simulator's searches take time
        in proportion to its hosts, and one scenario's hosts must not slow
        the next down.
        """
        for sim in self.sims:
            sim.admin.reset()

    def stats(self):
        """Calls per method and logins, summed; the peak per server."""
        calls = collections.Counter()
        logins = 0
        peaks = []
        for sim in self.sims:
            figures = sim.admin.stats()
            calls.update(figures.get('calls', {}))
            logins += sum(figures.get('logins', {}).values())
            peaks.append(figures.get('concurrent_peak'))
        # The simulator also counts each command inside a batch as
        # "batch:<command>"; the batch itself is the round trip.
        trips = {m: n for m, n in calls.items()
                 if not m.startswith(BATCH_ITEM)}
        writes = sum(n for m, n in trips.items() if is_write(m))
        writes += min(trips.get('batch', 0), sum(
            n for m, n in calls.items()
            if m.startswith(BATCH_ITEM) and is_write(m[len(BATCH_ITEM):])))
        return {'calls': dict(sorted(calls.items())),
                'round_trips': sum(trips.values()),
                'writes': writes,
                'reads': sum(trips.values()) - writes,
                'logins': logins,
                'concurrent_peak_per_server': peaks}

    def hosts(self):
        """Every host entry of every server, with the server's index."""
        return [(index, entry) for index, sim in enumerate(self.sims)
                for entry in sim.admin.hosts()]

    def home(self, fqdn):
        """The simulator novajoin sends the calls about ``fqdn`` to."""
        servers = [ipa_deployment.Server.parse(s)
                   for s in self.servers_option().split(',')]
        first = routing.preference(fqdn, servers)[0]
        return self.sims[servers.index(first)]

    def present_at_home(self, fqdns):
        """Those of ``fqdns`` their home server still has."""
        found = set()
        for sim in self.sims:
            for entry in sim.admin.hosts():
                fqdn = entry_fqdn(entry)
                if fqdn in fqdns and self.home(fqdn) is sim:
                    found.add(fqdn)
        return found

    def seed_replicated(self, hosts):
        """``{fqdn: description}`` on every server, as replication leaves
        hosts that exist for a while (the simulators share nothing).
        """
        def seed(item):
            fqdn, description = item
            for sim in self.sims:
                sim.admin.seed_host(fqdn, enrolled=True,
                                    description=description)

        with concurrent.futures.ThreadPoolExecutor(SEED_THREADS) as pool:
            list(pool.map(seed, hosts.items()))

    def replicate(self, fqdns):
        """Copy what the home servers have about ``fqdns`` to the others."""
        copies = {}
        for sim in self.sims:
            for entry in sim.admin.hosts():
                fqdn = entry_fqdn(entry)
                if fqdn in fqdns and self.home(fqdn) is sim:
                    description = entry.get('description')
                    if isinstance(description, list):
                        description = description[0]
                    copies[fqdn] = description
        for fqdn, description in copies.items():
            for sim in self.sims:
                if sim is not self.home(fqdn):
                    sim.admin.seed_host(fqdn, enrolled=True,
                                        description=description)

    def ceiling(self, reads_per_unit, writes_per_unit):
        """Units (boots, deletes) per second IPA can serve at most:
        servers x slots / (IPA time per unit).
        """
        return self.ceiling_at((reads_per_unit * self.read_ms
                                + writes_per_unit * self.write_ms) / 1000.0)

    def ceiling_at(self, seconds_per_unit):
        """Units per second at most when each takes ``seconds_per_unit``
        of one IPA slot (None when that is not known or 0).
        """
        if not seconds_per_unit or seconds_per_unit <= 0:
            return None
        return len(self.sims) * self.max_concurrency / seconds_per_unit

    def describe(self):
        return '%d server(s) x %d calls at once, %d ms reads, %d ms writes' % (
            len(self.sims), self.max_concurrency, self.read_ms, self.write_ms)


@contextlib.contextmanager
def run_deployment(workdir, ca, servers, max_concurrency, read_ms,
                   write_ms):
    with contextlib.ExitStack() as stack_:
        sims = []
        for index in range(servers):
            sims.append(stack_.enter_context(ipasim.run_ipasim(
                os.path.join(workdir, 'ipasim-%d' % index), ca,
                realm=stack.REALM, domain=stack.DOMAIN,
                admin_password=(sims[0].admin_password if sims else None),
                read_latency_ms=read_ms, write_latency_ms=write_ms,
                max_concurrency=max_concurrency,
                name='ipasim-%d' % index)))
        yield Deployment(sims, max_concurrency, read_ms, write_ms)


def ipa_section(deployment, workdir, **overrides):
    section = stack.ipa_section(deployment.first, workdir, **overrides)
    section['servers'] = deployment.servers_option()
    return section
