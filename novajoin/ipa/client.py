"""FreeIPA JSON-RPC client.

    ipa = IPAClient.from_conf(conf)
    out = ipa.host_show('vm1.example.test')
    out['result']['has_keytab']

Each method is one JSON-RPC round trip and returns the command's output
dict (``result``, ``value``, ``summary``, maybe ``messages``) or raises an
:mod:`novajoin.ipa.errors` exception. One client serves every thread of a
process.
"""

import collections
import json
import logging
import time

from novajoin.ipa import auth
from novajoin.ipa import deadline as deadlines
from novajoin.ipa import deployment
from novajoin.ipa import errors
from novajoin.ipa import redaction
from novajoin.ipa import transport as transports
from novajoin.ipa import wire
from novajoin import metrics

LOG = logging.getLogger(__name__)

# Calls that only read; any other may write.
READ_ONLY = frozenset(('ping', 'env'))
READ_ONLY_SUFFIXES = ('_show', '_find')

BatchItem = collections.namedtuple('BatchItem', ['result', 'error'])
BatchItem.__doc__ = """One batch sub-call: its output dict, or the
IPACommandError it failed with."""


def command_output(method, envelope):
    """The command output of a JSON-RPC envelope, or its mapped error.

    Wire-type wrappers in the output are decoded (see :mod:`wire`).
    """
    is_envelope = isinstance(envelope, dict) and {'result', 'error'} <= set(
        envelope)
    if not is_envelope:
        raise errors.IPAProtocolError(
            'IPA answered %s with JSON that is not a JSON-RPC envelope'
            % method)
    error = envelope['error']
    if error is not None:
        if not isinstance(error, dict):
            raise errors.IPAProtocolError(
                'IPA answered %s with a malformed error object' % method)
        raise errors.from_error_object(error)
    output = envelope['result']
    if not isinstance(output, dict):
        raise errors.IPAProtocolError(
            'IPA answered %s without a result object' % method)
    return wire.decode(output)


def batch_items(calls, output):
    """BatchItems, in request order, from a ``batch`` command output."""
    results = output.get('results')
    if not isinstance(results, list) or len(results) != len(calls):
        raise errors.IPAProtocolError(
            'IPA batch answered %s results for %d calls'
            % (len(results) if isinstance(results, list) else 'no',
               len(calls)))
    items = []
    for result in results:
        if not isinstance(result, dict):
            raise errors.IPAProtocolError('IPA batch item is not an object')
        if result.get('error') is not None:
            items.append(BatchItem(None, errors.from_batch_item(result)))
        else:
            result = {k: v for k, v in result.items() if k != 'error'}
            items.append(BatchItem(result, None))
    return items


class IPAClient(object):

    def __init__(self, transport, realm, domain, api_version='2.230',
                 timeout=3.0, clock=time.monotonic):
        self.realm = realm
        self.domain = domain
        self.api_version = api_version
        self.timeout = timeout
        self.transport = transport
        self._clock = clock

    @classmethod
    def from_conf(cls, conf):
        """A client for ``conf``, a ConfigOpts with novajoin.conf in it."""
        ipa_conf = conf.ipa
        where = deployment.resolve(ipa_conf)
        transport = transports.Transport(
            where.servers, auth.from_conf(ipa_conf), ipa_conf.ca_file,
            max_connections=ipa_conf.max_connections_per_server,
            connect_retries=ipa_conf.connect_retries,
            retry_backoff=ipa_conf.retry_backoff)
        return cls(transport, where.realm, where.domain,
                   api_version=ipa_conf.api_version,
                   timeout=ipa_conf.timeout)

    def close(self):
        self.transport.close()

    def _deadline(self, timeout):
        seconds = self.timeout
        if timeout is not None:
            if timeout <= 0:
                raise errors.IPAUnavailable(
                    'no time left for an IPA call (timeout=%s)' % timeout)
            seconds = min(seconds, timeout)
        return deadlines.Deadline(seconds, self._clock)

    def call(self, method, args=(), options=None, timeout=None):
        """One command; ``timeout`` can only shorten [ipa] timeout."""
        deadline = self._deadline(timeout)
        options = dict(options or {})
        options.setdefault('version', self.api_version)
        body = json.dumps({'method': method,
                           'params': [list(args), options],
                           'id': 0})
        LOG.debug('IPA call method=%s args=%s options=%s', method,
                  redaction.redact(list(args)), redaction.redact(options))
        started = time.monotonic()
        outcome = 'failed'
        try:
            envelope = self.transport.post_json(body, deadline,
                                                *_route(method, args))
            output = command_output(method, envelope)
            outcome = 'ok'
        except errors.IPACommandError as exc:
            outcome = 'ipa_error'
            LOG.debug('IPA call failed method=%s code=%s name=%s',
                      method, exc.code, exc.name)
            raise
        except errors.IPAUnavailable:
            outcome = 'unavailable'
            raise
        finally:
            metrics.IPA_CALLS.labels(command=method, outcome=outcome).observe(
                time.monotonic() - started)
        for message in output.get('messages') or ():
            LOG.debug('IPA message method=%s code=%s name=%s',
                      method, message.get('code'), message.get('name'))
        return output

    def batch(self, calls, timeout=None):
        """Run ``[(method, args, options), ...]`` in one round trip.

        FreeIPA runs them in order without rollback; each item reports its
        own success or failure.
        """
        calls = list(calls)
        subcalls = [{'method': method, 'params': [list(args),
                                                  dict(options or {})]}
                    for method, args, options in calls]
        return batch_items(calls, self.call('batch', [subcalls],
                                            timeout=timeout))

    def ping(self, timeout=None):
        return self.call('ping', timeout=timeout)

    def host_add(self, fqdn, timeout=None, **options):
        return self.call('host_add', [fqdn], options, timeout)

    def host_mod(self, fqdn, timeout=None, **options):
        return self.call('host_mod', [fqdn], options, timeout)

    def host_show(self, fqdn, timeout=None, **options):
        return self.call('host_show', [fqdn], options, timeout)

    def host_del(self, fqdn, timeout=None, **options):
        """``fqdn`` is one name or a list of names."""
        return self.call('host_del', [fqdn], options, timeout)

    def host_disable(self, fqdn, timeout=None, **options):
        return self.call('host_disable', [fqdn], options, timeout)

    def host_find(self, criteria=None, timeout=None, **options):
        return self.call('host_find', _criteria(criteria), options, timeout)

    def dnsrecord_add(self, zone, name, timeout=None, **options):
        return self.call('dnsrecord_add', [zone, name], options, timeout)

    def dnsrecord_del(self, zone, name, timeout=None, **options):
        return self.call('dnsrecord_del', [zone, name], options, timeout)

    def dnsrecord_find(self, zone, criteria=None, timeout=None, **options):
        return self.call('dnsrecord_find', [zone] + _criteria(criteria),
                         options, timeout)

    def service_add(self, principal, timeout=None, **options):
        return self.call('service_add', [principal], options, timeout)

    def service_del(self, principal, timeout=None, **options):
        """``principal`` is one principal or a list of them."""
        return self.call('service_del', [principal], options, timeout)

    def service_show(self, principal, timeout=None, **options):
        return self.call('service_show', [principal], options, timeout)

    def service_find(self, criteria=None, timeout=None, **options):
        return self.call('service_find', _criteria(criteria), options,
                         timeout)

    def service_add_host(self, principal, hosts, timeout=None, **options):
        options['host'] = list(hosts)
        return self.call('service_add_host', [principal], options, timeout)

    def service_remove_host(self, principal, hosts, timeout=None,
                            **options):
        options['host'] = list(hosts)
        return self.call('service_remove_host', [principal], options,
                         timeout)

    def host_add_managedby(self, fqdn, hosts, timeout=None, **options):
        options['host'] = list(hosts)
        return self.call('host_add_managedby', [fqdn], options, timeout)

    def host_remove_managedby(self, fqdn, hosts, timeout=None, **options):
        options['host'] = list(hosts)
        return self.call('host_remove_managedby', [fqdn], options, timeout)

    def server_find(self, criteria=None, timeout=None, **options):
        return self.call('server_find', _criteria(criteria), options,
                         timeout)


def routing_key(method, args):
    """The host a call is about (lower-case FQDN), or None.

    The transport keeps every call about one host on one IPA server.
    """
    if method == 'batch':
        for sub_method, sub_args in _sub_calls(args):
            key = routing_key(sub_method, sub_args)
            if key is not None:
                return key
        return None
    if not args:
        return None
    first = args[0]
    if isinstance(first, (list, tuple)):
        first = first[0] if first else None
    if not isinstance(first, str):
        return None
    if method.startswith('host_'):
        return first.lower().rstrip('.')
    if method.startswith('service_'):
        # service/fqdn@REALM
        return first.split('@', 1)[0].split('/', 1)[-1].lower().rstrip('.')
    if method.startswith('dnsrecord_') and len(args) > 1 and isinstance(
            args[1], str):
        return ('%s.%s' % (args[1], first)).lower().rstrip('.')
    return None


def _route(method, args):
    """What the transport routes a call by: its key, whether it writes,
    and the hosts it writes about (a batch may write about several).
    """
    if method != 'batch':
        key = routing_key(method, args)
        write = writes(method, args)
        return key, write, [key] if write and key is not None else []
    written = [routing_key(m, a) for m, a in _sub_calls(args)
               if writes(m, a)]
    return (routing_key(method, args), bool(written),
            [key for key in written if key is not None])


def writes(method, args):
    """Whether a call may change IPA's data (a batch: any of its calls)."""
    if method == 'batch':
        return any(writes(m, a) for m, a in _sub_calls(args))
    return not (method in READ_ONLY or method.endswith(READ_ONLY_SUFFIXES))


def _sub_calls(args):
    """(method, positional args) of each call of a ``batch``'s ``args``."""
    return [(sub.get('method'), sub.get('params', [[]])[0])
            for sub in (args[0] if args else ())]


def _criteria(criteria):
    return [] if criteria is None else [criteria]
