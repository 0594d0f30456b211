"""Read and validate the TLS service keys of instance metadata.

Metadata is tenant-controlled. Every value is checked here before any name
is built from it: service names are ``[A-Za-z0-9-]+`` (1 to 63 characters,
never ``host``, ``krbtgt`` or ``kadmin``), network names
are DNS labels, managed principals are ``<svc>/<fqdn>`` inside our domain
and realm. A key that fails is refused as a whole, with a reason that quotes
at most a bounded part of the value; other keys still count.

novajoin 1.3.0 read ``compact_service_<svc>`` keys and, only when there were
none, the older ``compact_services`` object; so do we.
"""

import collections
import json
import re

from novajoin import exception
from novajoin.hosts import hostname

COMPACT_PREFIX = 'compact_service_'
COMPACT_LEGACY_KEY = 'compact_services'
MANAGED_PREFIX = 'managed_service_'

MAX_SERVICE_NAME = 63
# krbtgt/<name> is the key of a cross-realm trust with realm <name>;
# kadmin/<name> the admin service: never a tenant's.
_KERBEROS_SERVICES = ('krbtgt', 'kadmin')
_SERVICE_NAME = re.compile(r'[A-Za-z0-9-]+')
# Quoted in refusals: enough to recognise the value, never a whole one.
_QUOTE_LIMIT = 40


class Principal(collections.namedtuple('Principal', ['service', 'host'])):
    """A service principal without its realm: ``<service>/<host>``."""

    __slots__ = ()

    def __str__(self):
        return '%s/%s' % (self.service, self.host)

    @classmethod
    def from_ipa(cls, value):
        """From IPA's ``krbcanonicalname`` (``svc/host@REALM``)."""
        name = value.partition('@')[0]
        service, _, host = name.partition('/')
        return cls(service, host.lower())


Refusal = collections.namedtuple('Refusal', ['key', 'reason'])
Refusal.__doc__ = 'A metadata key (or one item of it) that is not honoured.'


class ServiceRequest(object):
    """What the metadata asks for, and what of it could not be read.

    ``compact`` is a set of (service, network) pairs; ``managed`` a set of
    :class:`Principal`. ``unreadable_services`` names the compact services
    whose key was refused (None: every compact service, because the legacy
    object could not be read), and ``managed_unreadable`` says a managed key
    was refused: an update must not take away what such a key may still
    ask for.
    """

    def __init__(self):
        self.compact = set()
        self.managed = set()
        self.refusals = []
        self.unreadable_services = set()
        self.managed_unreadable = False

    def __bool__(self):
        return bool(self.compact or self.managed or self.refusals)

    def compact_unreadable(self, service):
        return (self.unreadable_services is None
                or service in self.unreadable_services)


class _Refused(Exception):
    pass


def parse(metadata, domain, realm):
    """The :class:`ServiceRequest` of ``metadata`` (a dict of strings)."""
    request = ServiceRequest()
    compact_keys = sorted(key for key in metadata
                          if key.startswith(COMPACT_PREFIX))
    for key in compact_keys:
        service = key[len(COMPACT_PREFIX):]
        try:
            networks = _networks(_json(metadata[key]), what='a JSON list')
            _check_service_name(service)
        except _Refused as exc:
            request.refusals.append(Refusal(key, str(exc)))
            request.unreadable_services.add(service)
            continue
        request.compact.update((service, network) for network in networks)
    if not compact_keys and COMPACT_LEGACY_KEY in metadata:
        _parse_legacy(metadata[COMPACT_LEGACY_KEY], request)
    for key in sorted(k for k in metadata if k.startswith(MANAGED_PREFIX)):
        try:
            request.managed.add(parse_principal(metadata[key], domain,
                                                realm))
        except _Refused as exc:
            request.refusals.append(Refusal(key, str(exc)))
            request.managed_unreadable = True
    return request


def _parse_legacy(value, request):
    key = COMPACT_LEGACY_KEY
    try:
        document = _json(value)
        if not isinstance(document, dict):
            raise _Refused('must be a JSON object {"<service>": '
                           '["<network>", ...]}')
    except _Refused as exc:
        request.refusals.append(Refusal(key, str(exc)))
        request.unreadable_services = None
        return
    for service, networks in sorted(document.items()):
        try:
            _check_service_name(service)
            networks = _networks(networks, what='a list')
        except _Refused as exc:
            request.refusals.append(Refusal('%s[%s]' % (key, _quote(service)),
                                            str(exc)))
            request.unreadable_services.add(service)
            continue
        request.compact.update((service, network) for network in networks)


def parse_principal(value, domain, realm):
    """A :class:`Principal` from ``<svc>/<fqdn>[@REALM]`` in ``domain``."""
    if not isinstance(value, str):
        raise _Refused('must be a string')
    name, at, principal_realm = value.partition('@')
    if at and principal_realm != realm:
        raise _Refused('realm %s is not %s' % (_quote(principal_realm),
                                               realm))
    service, slash, fqdn = name.partition('/')
    if not slash:
        raise _Refused('%s is not <service>/<host name>' % _quote(value))
    _check_service_name(service)
    return Principal(service, host_in_domain(fqdn, domain))


def host_in_domain(fqdn, domain):
    """``fqdn`` lowercased, if it is a valid name strictly inside domain."""
    if fqdn.endswith('.'):
        fqdn = fqdn[:-1]
    try:
        labels = [hostname.check_label(label, 'host name')
                  for label in fqdn.split('.')]
        domain_labels = hostname.domain_labels(domain)
    except exception.InvalidHostname as exc:
        raise _Refused(exc.message)
    fqdn = '.'.join(labels)
    if len(fqdn) > hostname.MAX_NAME_OCTETS:
        raise _Refused('host name is longer than %d octets'
                       % hostname.MAX_NAME_OCTETS)
    if (len(labels) <= len(domain_labels)
            or labels[-len(domain_labels):] != domain_labels):
        raise _Refused('%s is not inside the domain %s'
                       % (_quote(fqdn), '.'.join(domain_labels)))
    return fqdn


def _json(value):
    if not isinstance(value, str):
        raise _Refused('must be a string holding JSON')
    try:
        return json.loads(value)
    except ValueError as exc:
        raise _Refused('is not valid JSON (%s at character %d)'
                       % (exc.msg, exc.pos))


def _networks(value, what):
    if not isinstance(value, list) or not value:
        raise _Refused('must be %s of network names' % what)
    networks = set()
    for network in value:
        if not isinstance(network, str):
            raise _Refused('network names must be strings')
        try:
            networks.add(hostname.check_label(network, 'network'))
        except exception.InvalidHostname as exc:
            raise _Refused(exc.message)
    return sorted(networks)


def _check_service_name(service):
    if not isinstance(service, str) or not (
            service.isascii() and _SERVICE_NAME.fullmatch(service)):
        raise _Refused('service name %s may only contain ASCII letters, '
                       'digits and hyphens' % _quote(service))
    if len(service) > MAX_SERVICE_NAME:
        raise _Refused('service name is longer than %d characters'
                       % MAX_SERVICE_NAME)
    if service.lower() == 'host':
        raise _Refused('the host principal comes with its host entry; it '
                       'cannot be asked for as a service')
    if service.lower() in _KERBEROS_SERVICES:
        raise _Refused('%s principals belong to the Kerberos realm itself'
                       % service)


def _quote(value):
    text = repr(value)
    if len(text) > _QUOTE_LIMIT:
        text = text[:_QUOTE_LIMIT] + '...'
    return text
