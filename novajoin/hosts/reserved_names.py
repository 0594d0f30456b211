"""Names that are never handed to a tenant, refused before any IPA write.

Problem: the host name of an instance is chosen by its owner. ``host_add``
runs with ``force`` (instances have no DNS record yet), so without a check
a tenant could enroll ``ipa``, ``localhost`` or a name such as ``www`` that
has DNS records in IPA but no host entry, and would then hold a keytab (and
could ask for certificates) for it. A host entry that exists already is
safe: only its owning instance gets anything
(:mod:`novajoin.hosts.host_entry`).

Refused, for new and existing entries alike:

- ``localhost`` (as the first label of the name) and ``ipa-ca.<domain>``,
  IPA's name for its CA, in the IPA domain and in ``[DEFAULT] domain``;
- the IPA servers: those in ``[ipa] servers`` and those IPA lists with
  ``server_find``, remembered per process for ``[enrollment]
  ipa_servers_cache_ttl`` seconds (a failed refresh keeps the old list);
- ``[enrollment] reserved_names``: shell-style patterns, matched against
  the name below the domain and against the whole FQDN.

Refused for a name that has no host entry yet (``[enrollment]
check_dns_records``): any DNS record in IPA, in the zone of the domain or
of a subdomain between it and the host (``dnsrecord_show``), and a name
that is itself a DNS zone (``dnszone_show``). novajoin adds DNS records only
for hosts it owns (floating IPs) and removes them with the host, so records
on a name without a host entry were made by someone else. "DNS is not
configured" and "zone not found" mean no record.

Cost: the reads are sub-calls of one IPA ``batch`` that also carries the
``host_show`` of the entry (see :mod:`novajoin.hosts.enrollment`), so the check
adds no round trip to a request that must read anyway; ``server_find`` is
in that batch only when the remembered list has expired. A DNS check that
IPA does not answer (no right to read DNS, a failure) refuses the request
with 503: an unchecked name is never added.
"""

import fnmatch
import logging
import time

from novajoin import exception
from novajoin.ipa import deployment
from novajoin.ipa import errors as ipa_errors

LOG = logging.getLogger(__name__)

IPA_CA_LABEL = 'ipa-ca'
LOCALHOST_LABEL = 'localhost'


class ReservedNames(object):
    """One per worker process; thread-safe."""

    def __init__(self, patterns, domains, check_dns_records=True,
                 servers_ttl=600, configured_servers=(),
                 clock=time.monotonic):
        self._patterns = [pattern.strip().lower() for pattern in patterns
                          if pattern.strip()]
        self._fixed = frozenset(
            _name(IPA_CA_LABEL + '.' + domain) for domain in domains
            if domain)
        self._configured_servers = frozenset(
            _name(server) for server in configured_servers)
        self._check_dns_records = check_dns_records
        self._servers_ttl = servers_ttl
        self._clock = clock
        # (server names, time they expire); replaced as a whole.
        self._listed_servers = (frozenset(), None)

    @classmethod
    def from_conf(cls, conf):
        where = deployment.resolve(conf.ipa)
        return cls(
            conf.enrollment.reserved_names,
            domains=[where.domain, conf.domain],
            check_dns_records=conf.enrollment.check_dns_records,
            servers_ttl=conf.enrollment.ipa_servers_cache_ttl,
            configured_servers=[server.host for server in where.servers])

    def refuse_known(self, fqdn, domain):
        """Refuse what needs no IPA call: patterns, fixed names, servers
        known to this process.

        :raises novajoin.exception.NameReserved:
        """
        fqdn = _name(fqdn)
        if fqdn.split('.', 1)[0] == LOCALHOST_LABEL:
            raise exception.NameReserved(fqdn, 'localhost is not a host')
        if fqdn in self._fixed:
            raise exception.NameReserved(fqdn, "it is IPA's CA name")
        self._refuse_servers(fqdn, self._configured_servers)
        self._refuse_servers(fqdn, self._listed_servers[0])
        relative = _relative(fqdn, domain)
        for pattern in self._patterns:
            if (fnmatch.fnmatchcase(relative, pattern)
                    or fnmatch.fnmatchcase(fqdn, pattern)):
                raise exception.NameReserved(
                    fqdn, 'it matches %r in [enrollment] reserved_names'
                    % pattern)

    def reads(self, fqdn, domain):
        """IPA batch sub-calls ``(method, args, options)`` for ``fqdn``.

        What the check of a new ``fqdn`` needs now; give their results to
        :meth:`refuse_from_reads`. Empty when nothing needs reading.
        """
        calls = []
        if self._servers_expired():
            calls.append(('server_find', [], {}))
        return calls + self.dns_reads(fqdn, domain)

    def dns_reads(self, fqdn, domain):
        """The DNS part of :meth:`reads`; empty without
        ``check_dns_records``. Also for the hosts of TLS services
        (:mod:`novajoin.services`): a new one must not take a name either.
        """
        if not self._check_dns_records:
            return []
        fqdn = _name(fqdn)
        calls = [('dnsrecord_show', [zone, name], {})
                 for zone, name in _zones_and_names(fqdn, domain)]
        calls.append(('dnszone_show', [fqdn + '.'], {}))
        return calls

    def refuse_from_reads(self, fqdn, calls, items, new_host):
        """Learn the server list from ``items`` (BatchItems answering
        ``calls``), and refuse ``fqdn`` if they show it is reserved.

        DNS records count only for a ``new_host`` (no entry yet): those of
        an existing entry are its owner's floating IPs.

        :raises novajoin.exception.NameReserved:
        :raises novajoin.ipa.errors.IPACommandError: a check IPA did not
            answer; the name cannot be shown to be free.
        """
        fqdn = _name(fqdn)
        for (method, args, _), item in zip(calls, items):
            if method == 'server_find':
                self._learn_servers(item)
                self._refuse_servers(fqdn, self._listed_servers[0])
            elif new_host and method in ('dnsrecord_show', 'dnszone_show'):
                self._refuse_dns(fqdn, method, args, item)

    def _servers_expired(self):
        expires = self._listed_servers[1]
        return expires is None or self._clock() >= expires

    def _learn_servers(self, item):
        if item.error is not None:
            known, expires = self._listed_servers
            if expires is None:
                LOG.error('Cannot list the IPA servers (server_find), so '
                          'no new host is added: %s', item.error)
                raise item.error
            LOG.warning('Cannot refresh the list of IPA servers '
                        '(server_find); keeping the %d known: %s',
                        len(known), item.error)
            return
        names = set()
        for server in item.result.get('result') or ():
            for name in server.get('cn') or ():
                if isinstance(name, str):
                    names.add(_name(name))
        self._listed_servers = (frozenset(names),
                                self._clock() + self._servers_ttl)

    @staticmethod
    def _refuse_servers(fqdn, servers):
        if fqdn in servers:
            raise exception.NameReserved(fqdn, 'it is an IPA server')

    @staticmethod
    def _refuse_dns(fqdn, method, args, item):
        if item.error is None:
            if method == 'dnszone_show':
                raise exception.NameReserved(fqdn, 'it is a DNS zone in IPA')
            raise exception.NameReserved(
                fqdn, 'it has DNS records in IPA (zone %s) that novajoin '
                      'did not create' % args[0])
        if isinstance(item.error, ipa_errors.NotFound):
            return
        LOG.error('Cannot check the DNS records of %s (%s %s), so it is not '
                  'added: %s', fqdn, method, ' '.join(args), item.error)
        raise item.error


def _name(name):
    return name.strip().lower().rstrip('.')


def _relative(fqdn, domain):
    suffix = '.' + _name(domain)
    if fqdn.endswith(suffix):
        return fqdn[:-len(suffix)]
    return fqdn


def _zones_and_names(fqdn, domain):
    """(zone, relative name) from the domain down to the host's parent.

    web1.proj.example.test under example.test gives (example.test.,
    web1.proj) and (proj.example.test., web1).
    """
    labels = _relative(fqdn, domain).split('.')
    pairs = []
    for cut in range(len(labels), 0, -1):
        zone = '.'.join(labels[cut:] + [_name(domain)])
        pairs.append((zone + '.', '.'.join(labels[:cut])))
    return pairs
