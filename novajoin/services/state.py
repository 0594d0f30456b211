"""What IPA holds for the names a service request involves: one ``batch``.

Every host and principal the request names is shown in a single round trip,
together with ``server_find`` when the list of IPA servers is not cached.
A name IPA does not know is *absent*; one IPA would not show (an ACI, an
error) is *unreadable* and is never written to.

:func:`names_to_read` says which names a request needs shown;
:class:`Reader` shows them, remembering the servers between requests.
"""

import threading

import cachetools

from novajoin.ipa import errors as ipa_errors
from novajoin.services import metadata
from novajoin.services import rules as service_rules

ABSENT = None


class IPAState(object):
    """Host and service entries by name; ``servers`` the IPA servers."""

    def __init__(self):
        self.hosts = {}
        self.services = {}
        self.unreadable = {}
        self.servers = None
        # fqdn: (calls, items) of the DNS checks a new host needs.
        self.name_checks = {}

    def host(self, fqdn):
        """The host entry, or :data:`ABSENT`; KeyError if not read."""
        return self.hosts[fqdn]

    def service(self, principal):
        return self.services[principal]


class Reader(object):
    """Reads for one process; remembers the IPA servers' names."""

    def __init__(self, ipa, rules, server_cache_ttl, clock):
        self._ipa = ipa
        self._rules = rules
        self._servers = _ServerNames(server_cache_ttl, clock)

    def read(self, hosts, principals, timeout):
        """The IPA state of the names, with the IPA servers (cached).

        :returns: (:class:`IPAState`, round trips made)
        """
        servers = self._servers.get()
        state, calls = read(
            self._ipa, hosts, principals, want_servers=servers is None,
            timeout=timeout,
            name_checks={fqdn: self._rules.name_checks(fqdn)
                         for fqdn in hosts})
        if state.servers is None:
            state.servers = servers
        else:
            self._servers.remember(state.servers)
        return state, calls


class _ServerNames(object):
    """The IPA servers' names, remembered for ``ttl`` seconds."""

    def __init__(self, ttl, timer):
        self._cache = cachetools.TTLCache(maxsize=1, ttl=ttl, timer=timer)
        self._lock = threading.Lock()

    def get(self):
        with self._lock:
            return self._cache.get('servers')

    def remember(self, names):
        with self._lock:
            self._cache['servers'] = names


def names_to_read(instance, request, managed_allowed):
    """(host names, principals) planning ``request`` needs to see."""
    hosts, principals = set(), set()
    for service, network in request.compact:
        subhost = service_rules.subhost_name(instance, network)
        hosts.add(subhost)
        principals.add(metadata.Principal(service, subhost))
    if managed_allowed:
        for principal in request.managed:
            hosts.add(principal.host)
            principals.add(principal)
    hosts.discard(instance.fqdn)
    return hosts, principals


def managers(entry):
    """Lowercased fqdns of the hosts in an entry's ``managedby_host``."""
    if not entry:
        return set()
    return {fqdn.lower() for fqdn in entry.get('managedby_host') or ()}


def read(ipa, host_names, principals, want_servers, timeout,
         name_checks=None):
    """Show ``host_names`` and ``principals`` in one batch.

    ``name_checks`` maps a host name to the batch calls that tell whether
    it may be created (:meth:`novajoin.hosts.reserved_names.ReservedNames.
    dns_reads`); they go into the same batch.

    :returns: (:class:`IPAState`, round trips made)
    """
    host_names = sorted(set(host_names))
    principals = sorted(set(principals))
    checks = sorted((name_checks or {}).items())
    calls = [('host_show', [fqdn], {}) for fqdn in host_names]
    calls += [('service_show', [str(p)], {}) for p in principals]
    for _, check_calls in checks:
        calls += check_calls
    if want_servers:
        calls.append(('server_find', [], {}))
    state = IPAState()
    if not calls:
        return state, 0
    items = ipa.batch(calls, timeout=timeout)
    for fqdn, item in zip(host_names, items):
        _store(state.hosts, state.unreadable, fqdn, item)
    for principal, item in zip(principals, items[len(host_names):]):
        _store(state.services, state.unreadable, principal, item)
    position = len(host_names) + len(principals)
    for fqdn, check_calls in checks:
        state.name_checks[fqdn] = (
            check_calls, items[position:position + len(check_calls)])
        position += len(check_calls)
    if want_servers:
        item = items[-1]
        if item.error is not None:
            raise item.error
        state.servers = server_names(item.result)
    return state, 1


def server_names(server_find_output):
    """The fqdns of IPA servers in a ``server_find`` output."""
    names = set()
    for entry in server_find_output.get('result') or ():
        for name in entry.get('cn') or ():
            names.add(name.lower().rstrip('.'))
    return frozenset(names)


def _store(found, unreadable, name, item):
    if item.error is None:
        found[name] = item.result.get('result') or {}
    elif isinstance(item.error, ipa_errors.NotFound):
        found[name] = ABSENT
    else:
        unreadable[name] = item.error


def principal_of(entry):
    """The :class:`~novajoin.services.metadata.Principal` of an entry."""
    names = entry.get('krbcanonicalname') or entry.get('krbprincipalname')
    return metadata.Principal.from_ipa(names[0])
