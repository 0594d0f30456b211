"""Test doubles for enrollment: an IPA client, Glance/Keystone lookups, a
clock and a keystoneauth1-like session.

FakeIPA follows ../shared/reference/ipa-jsonrpc.md §4-§5: host_add lowercases
and needs a fully qualified name, refuses an existing host (DuplicateEntry)
and, without ``force``, a name that does not resolve; host_show reports
``has_keytab`` false while a password is set; host_mod refuses a password on
an enrolled host and an empty change (EmptyModlist); enrolling (ipa-join)
consumes the OTP. Attribute values come back as lists. ``batch`` runs
its sub-calls in order and records itself as one call (its sub-calls are
in ``batched``); ``server_find``, ``dnsrecord_show``, ``dnszone_show`` and
``host_disable`` answer from ``servers``, ``dns_records`` and ``zones``.
"""

import copy
import threading

from novajoin.ipa import client as ipa_client
from novajoin.ipa import errors as ipa_errors
from novajoin.openstack import http

HOST_ADD_OPTIONS = {'force', 'description', 'userpassword', 'userclass',
                    'nsosversion', 'nshostlocation', 'l', 'random',
                    'no_reverse', 'ip_address'}
HOST_MOD_OPTIONS = {'description', 'userpassword', 'userclass',
                    'nsosversion', 'nshostlocation', 'l', 'random'}
# Set in the options recorded for a batch's host_add that added the host.
ADDED = '_added'
LIST_ATTRIBUTES = ('description', 'userclass', 'nsosversion',
                   'nshostlocation', 'l')


class FakeIPA(object):
    """An in-memory IPA with the host commands novajoin uses."""

    def __init__(self, realm='EXAMPLE.TEST', domain='example.test'):
        self.realm = realm
        self.domain = domain
        self.hosts = {}
        self.servers = ['ipa.' + domain]
        self.zones = {domain}
        # {(zone, name): {record attributes}}
        self.dns_records = {}
        self.calls = []
        self.batched = []
        self.fail_with = None
        self.before_call = None
        self._lock = threading.Lock()

    # -- test set-up and inspection -------------------------------------

    def add_existing(self, fqdn, description=None, userpassword=None,
                     enrolled=False, **attributes):
        host = {'fqdn': fqdn, 'userpassword': userpassword,
                'keytab': enrolled}
        if description is not None:
            host['description'] = description
        host.update(attributes)
        self.hosts[fqdn] = host

    def enroll_with(self, fqdn, otp):
        """ipa-join: bind with the OTP, get a keytab, the OTP is gone."""
        with self._lock:
            host = self.hosts[fqdn]
            if host['userpassword'] is None or host['userpassword'] != otp:
                raise AssertionError('IPA rejects this OTP for %s' % fqdn)
            host['userpassword'] = None
            host['keytab'] = True

    def accepts_otp(self, fqdn, otp):
        host = self.hosts.get(fqdn)
        return (host is not None and not host['keytab']
                and host['userpassword'] == otp)

    def commands(self):
        """Round trips: a batch's sub-calls are not listed."""
        return [call[0] for call in self.calls
                if not call[0].startswith('batch:')]

    def writes(self):
        """Write calls, and the host_add sub-calls of batches that added a
        host (one that failed on an existing entry changed nothing).
        """
        return [call for call in self.calls
                if call[0] in ('host_add', 'host_mod', 'host_del')
                or (call[0] == 'batch:host_add' and call[3].get(ADDED))]

    def timeouts(self):
        return [call[2] for call in self.calls
                if not call[0].startswith('batch:')]

    def batched_commands(self):
        return [method for method, _ in self.batched]

    # -- the client interface -------------------------------------------

    def host_show(self, fqdn, timeout=None, **options):
        self._enter('host_show', fqdn, timeout, options)
        return self._batch_host_show(fqdn)

    def _batch_host_show(self, fqdn):
        with self._lock:
            host = self.hosts.get(fqdn)
            if host is None:
                raise ipa_errors.NotFound('%s: host not found' % fqdn,
                                          code=4001)
            return {'result': self._view(host), 'value': fqdn,
                    'summary': None}

    def _batch_host_find(self, criteria, sizelimit=None):
        # criteria: a case-insensitive substring of the attributes IPA
        # searches (ipa-jsonrpc.md); here those the fake keeps.
        needle = criteria.lower()
        with self._lock:
            found = [self._view(host) for fqdn, host in
                     sorted(self.hosts.items())
                     if any(needle in str(host.get(name) or '').lower()
                            for name in ('fqdn', 'description',
                                         'nshostlocation', 'nsosversion',
                                         'userclass'))]
        return {'result': found, 'count': len(found), 'truncated': False,
                'summary': '%d hosts matched' % len(found)}

    def host_add(self, fqdn, timeout=None, **options):
        self._enter('host_add', fqdn, timeout, options)
        return self._batch_host_add(fqdn, **options)

    def _batch_host_add(self, fqdn, **options):
        _check_options(options, HOST_ADD_OPTIONS)
        fqdn = fqdn.lower().rstrip('.')
        if '.' not in fqdn:
            raise ipa_errors.ValidationError(
                "invalid 'hostname': invalid domain-name: not fully "
                "qualified", code=3009)
        if not options.get('force') and 'ip_address' not in options:
            raise ipa_errors.DNSNotARecordError(
                'Host \'%s\' does not have corresponding DNS A/AAAA record'
                % fqdn, code=4019)
        with self._lock:
            if fqdn in self.hosts:
                raise ipa_errors.DuplicateEntry(
                    'host with name "%s" already exists' % fqdn, code=4002)
            host = {'fqdn': fqdn,
                    'userpassword': options.get('userpassword'),
                    'keytab': False}
            for name in LIST_ATTRIBUTES:
                if name in options:
                    host[name] = options[name]
            self.hosts[fqdn] = host
            return {'result': self._view(host), 'value': fqdn,
                    'summary': 'Added host "%s"' % fqdn}

    def host_mod(self, fqdn, timeout=None, **options):
        self._enter('host_mod', fqdn, timeout, options)
        _check_options(options, HOST_MOD_OPTIONS)
        with self._lock:
            host = self.hosts.get(fqdn)
            if host is None:
                raise ipa_errors.NotFound('%s: host not found' % fqdn,
                                          code=4001)
            if 'userpassword' in options and host['keytab']:
                raise ipa_errors.ValidationError(
                    "invalid 'userpassword': Password cannot be set on "
                    "enrolled host.", code=3009)
            changes = {name: value for name, value in options.items()
                       if host.get(name) != value}
            if not changes:
                raise ipa_errors.EmptyModlist(
                    'no modifications to be performed', code=4202)
            host.update(changes)
            return {'result': self._view(host), 'value': fqdn,
                    'summary': 'Modified host "%s"' % fqdn}

    def host_del(self, fqdn, timeout=None, **options):
        self._enter('host_del', fqdn, timeout, options)
        return self._batch_host_del(fqdn, **options)

    def _batch_host_del(self, fqdn, **options):
        _check_options(options, {'updatedns'})
        with self._lock:
            if self.hosts.pop(fqdn, None) is None:
                raise ipa_errors.NotFound('%s: host not found' % fqdn,
                                          code=4001)
        return {'result': {'failed': []}, 'value': [fqdn],
                'summary': 'Deleted host "%s"' % fqdn}

    def host_disable(self, fqdn, timeout=None, **options):
        self._enter('host_disable', fqdn, timeout, options)
        with self._lock:
            host = self.hosts.get(fqdn)
            if host is None:
                raise ipa_errors.NotFound('%s: host not found' % fqdn,
                                          code=4001)
            if not host['keytab']:
                raise ipa_errors.AlreadyInactive(
                    'This entry is already disabled', code=4010)
            host['keytab'] = False
            return {'result': True, 'value': fqdn,
                    'summary': 'Disabled host "%s"' % fqdn}

    def batch(self, calls, timeout=None):
        calls = list(calls)
        self._enter('batch', None, timeout, {'methods': calls})
        items = []
        for method, args, options in calls:
            with self._lock:
                self.batched.append((method, list(args)))
            try:
                record = self._enter_write(method, args, options)
                result = getattr(self, '_batch_' + method)(*args, **options)
            except ipa_errors.IPACommandError as exc:
                items.append(ipa_client.BatchItem(None, exc))
            else:
                if record is not None:
                    record[ADDED] = True
                items.append(ipa_client.BatchItem(result, None))
        return items

    def _batch_server_find(self):
        return {'result': [{'cn': [name]} for name in self.servers],
                'count': len(self.servers), 'truncated': False,
                'summary': '%d IPA servers matched' % len(self.servers)}

    def _batch_dnsrecord_show(self, zone, name):
        zone = zone.rstrip('.')
        if zone not in self.zones:
            raise ipa_errors.NotFound('%s.: DNS zone not found' % zone,
                                      code=4001)
        record = self.dns_records.get((zone, name))
        if record is None:
            raise ipa_errors.NotFound('%s: DNS resource record not found'
                                      % name, code=4001)
        return {'result': dict(record, idnsname=[name]), 'value': name,
                'summary': None}

    def _batch_dnszone_show(self, zone):
        zone = zone.rstrip('.')
        if zone not in self.zones:
            raise ipa_errors.NotFound('%s.: DNS zone not found' % zone,
                                      code=4001)
        return {'result': {'idnsname': [zone + '.']}, 'value': zone + '.',
                'summary': None}

    # -- internals ------------------------------------------------------

    def _enter_write(self, method, args, options):
        """A write sub-call of a batch: recorded in ``calls`` as
        ``batch:<method>`` (its options get ADDED once it succeeded), and
        seen by ``before_call`` under its own name.
        """
        if method != 'host_add':
            return None
        record = dict(options)
        with self._lock:
            self.calls.append(('batch:' + method, args[0], None, record))
        if self.before_call is not None:
            self.before_call(method, args[0])
        return record

    def _enter(self, command, fqdn, timeout, options):
        with self._lock:
            self.calls.append((command, fqdn, timeout, dict(options)))
        if self.before_call is not None:
            self.before_call(command, fqdn)
        if self.fail_with is not None:
            raise self.fail_with

    @staticmethod
    def _view(host):
        has_password = host['userpassword'] is not None
        view = {'fqdn': [host['fqdn']],
                'has_password': has_password,
                'has_keytab': host['keytab'] and not has_password}
        for name in LIST_ATTRIBUTES:
            if name in host:
                view[name] = [host[name]]
        return copy.deepcopy(view)


def _check_options(options, known):
    unknown = set(options) - known
    if unknown:
        raise ipa_errors.OptionError('Unknown option: %s'
                                     % sorted(unknown)[0], code=3005)


class FakeImages(object):
    """ImageProperties without Glance: ``{image id: properties}``."""

    def __init__(self, images=None):
        self.images = dict(images or {})
        self.lookups = []
        self.fail = False

    def get(self, image_id, timeout):
        self.lookups.append((image_id, timeout))
        if self.fail:
            raise http.ServiceUnavailable('Glance could not be reached: '
                                          'connection refused')
        return self.images.get(image_id)


class FakeProjects(object):
    """ProjectNames without Keystone: ``{project id: Project}``."""

    def __init__(self, names=None):
        self.names = dict(names or {})
        self.lookups = []
        self.fail = False

    def get(self, project_id, timeout):
        self.lookups.append((project_id, timeout))
        if self.fail:
            raise http.ServiceUnavailable('Keystone could not be reached: '
                                          'connection refused')
        return self.names.get(project_id)


class FakeClock(object):
    """A monotonic clock that moves only when told to."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


class FakeResponse(object):

    def __init__(self, status_code, document=None, text=None):
        self.status_code = status_code
        self._document = document
        self._text = text

    def json(self):
        if self._text is not None:
            raise ValueError('not JSON')
        return self._document


class FakeSession(object):
    """keystoneauth1 Session.get with endpoint_filter: answers by path."""

    def __init__(self, responses=None):
        self.responses = dict(responses or {})
        self.requests = []
        self.raise_on_get = None

    def get(self, path, endpoint_filter=None, timeout=None, raise_exc=True):
        self.requests.append({'path': path,
                              'endpoint_filter': endpoint_filter,
                              'timeout': timeout, 'raise_exc': raise_exc})
        if self.raise_on_get is not None:
            raise self.raise_on_get
        return self.responses.get(path, FakeResponse(404, {}))
