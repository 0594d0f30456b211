"""Where the nonce cache keeps its values: this process, or memcached
through oslo.cache.

Problem: the repeats of a boot must answer without any IPA call, with
nothing configured for one process, and across workers and replicas when
they share a cache. OpenStack services configure caches in oslo.cache's
``[cache]`` section (``enabled``, ``backend``, ``memcache_servers``, TLS
options...), which operators already fill in for nova and keystone.

Design: :func:`store_from_conf` returns a :class:`Store` with the small
interface :class:`novajoin.hosts.nonce_cache.SealedClient` seals values
through (``get``, ``set``, ``delete``; values are bytes):

- ``[cache] enabled = false`` (the default): an in-process store, dogpile's
  ``dogpile.cache.memory`` backend over a bounded, locked LRU dict of
  ``[enrollment] local_cache_size`` entries. Each worker process has its
  own: a repeat that reaches another worker is a miss.
- ``[cache] enabled = true``: the region oslo.cache configures from
  ``[cache]``; shared across workers and replicas with
  ``dogpile.cache.pymemcache`` (``memcache_servers``, ``tls_enabled``...).
  ``oslo_cache.dict`` and ``dogpile.cache.memory`` are in-process.
- ``[enrollment] memcached_servers`` (deprecated), without ``[cache]
  enabled``: read as ``backend = dogpile.cache.pymemcache`` with those
  servers and ``[enrollment] memcached_timeout``, so existing
  configurations keep sharing nonces.

What a cache writer must not do is run code: the memcached client
libraries behind oslo.cache unpickle whatever a value's flags ask for, and
memcached has no authentication by default. So the values go to the
backend itself (not through the region, which would pickle them), the
pymemcache client is built with a serializer that takes only bytes stored
as bytes (:class:`BytesOnly`; anything else reads as a forgery, i.e. a
miss), and the other memcached backends of oslo.cache
(``oslo_cache.memcache_pool``, ``dogpile.cache.memcached``,
``dogpile.cache.bmemcached``: python-memcached and python-binary-memcached
unpickle by flags) and non-memcached ones are refused at start with a
clear error. The client gets socket timeouts (``[cache]
socket_timeout``) so that a memcached that stops answering costs
a bounded wait, then the server is skipped for ``[cache]
hashclient_dead_timeout``.
"""

import collections
import threading

import cachetools
from dogpile.cache import api as dogpile_api
from dogpile.cache import region as dogpile_region
from oslo_cache import core as cache_core
from oslo_log import log as logging
from pymemcache.client import hash as memcache_hash

from novajoin import exception

LOG = logging.getLogger(__name__)

IN_PROCESS = 'dogpile.cache.memory'
PYMEMCACHE = 'dogpile.cache.pymemcache'
SUPPORTED_BACKENDS = (PYMEMCACHE, IN_PROCESS, 'oslo_cache.dict')
# What the deprecated [enrollment] memcached_servers always did.
LEGACY_DEAD_TIMEOUT = 10


class BytesOnly(object):
    """A pymemcache serializer that stores and loads bytes only.

    A value stored with other flags (a pickle, say) is not loaded: it
    reads as :data:`NOT_BYTES`, which the store reports as a forgery.
    """

    def serialize(self, key, value):
        if not isinstance(value, bytes):
            raise TypeError('only bytes are stored')
        return value, 0

    def deserialize(self, key, value, flags):
        if flags != 0 or not isinstance(value, bytes):
            return NOT_BYTES
        return value


NOT_BYTES = object()


class NotBytes(Exception):
    """A stored value that is not novajoin's bytes."""


class LockedLRU(cachetools.LRUCache):
    """A bounded dict for dogpile's memory backend; thread-safe."""

    def __init__(self, maxsize):
        super(LockedLRU, self).__init__(maxsize)
        self._lock = threading.RLock()

    def __getitem__(self, key):
        with self._lock:
            return super(LockedLRU, self).__getitem__(key)

    def __setitem__(self, key, value):
        with self._lock:
            super(LockedLRU, self).__setitem__(key, value)

    def __delitem__(self, key):
        with self._lock:
            super(LockedLRU, self).__delitem__(key)

    def get(self, key, default=None):
        with self._lock:
            return super(LockedLRU, self).get(key, default)

    def pop(self, key, *default):
        with self._lock:
            return super(LockedLRU, self).pop(key, *default)


class Store(object):
    """Bytes under string keys in a dogpile backend.

    ``shared`` says whether other processes see the values.
    """

    def __init__(self, backend, shared, description):
        self._backend = backend
        self.shared = shared
        self.description = description

    def get(self, key):
        value = self._backend.get(key)
        if value is dogpile_api.NO_VALUE or value is None:
            return None
        if value is NOT_BYTES or not isinstance(value, bytes):
            raise NotBytes('not a value novajoin stored')
        return value

    def set(self, key, value, expire=0, noreply=None):
        self._backend.set(key, value)
        return True

    def delete(self, key, noreply=None):
        self._backend.delete(key)
        return True


def in_process(size):
    """A :class:`Store` in this process, of at most ``size`` entries."""
    region = dogpile_region.make_region().configure(
        IN_PROCESS, arguments={'cache_dict': LockedLRU(size)})
    return Store(region.backend, False, 'in-process (%d entries)' % size)


def store_from_conf(conf):
    """The :class:`Store` ``conf`` asks for; see the module docstring.

    :raises novajoin.exception.ConfigurationError: an unsupported
        ``[cache] backend``.
    """
    cache = conf.cache
    if not cache.enabled:
        servers = conf.enrollment.memcached_servers
        if not servers:
            return in_process(conf.enrollment.local_cache_size)
        LOG.warning('[enrollment] memcached_servers is deprecated: set '
                    '[cache] enabled = true, backend = %s and '
                    'memcache_servers = %s instead', PYMEMCACHE,
                    ','.join(servers))
        region = dogpile_region.make_region().configure(
            PYMEMCACHE, arguments={
                'url': list(servers), 'hashclient_retry_attempts': 0,
                'hashclient_dead_timeout': LEGACY_DEAD_TIMEOUT})
        return _memcached(region.backend, conf.enrollment.memcached_timeout,
                          servers)
    if cache.backend not in SUPPORTED_BACKENDS:
        raise exception.ConfigurationError(
            '[cache] backend = %s is not supported by novajoin: use %s '
            '(memcached; its values are loaded as bytes only, never '
            'unpickled, so whoever can write to memcached cannot run code '
            'in novajoin), or dogpile.cache.memory / oslo_cache.dict '
            '(in-process)' % (cache.backend, PYMEMCACHE))
    region = cache_core.configure_cache_region(conf,
                                               cache_core.create_region())
    if cache.backend != PYMEMCACHE:
        return Store(region.backend, False,
                     'in-process ([cache] backend = %s)' % cache.backend)
    return _memcached(region.backend, cache.socket_timeout,
                      cache.memcache_servers)


def _memcached(backend, timeout, servers):
    """``backend`` (dogpile's pymemcache backend) with one shared client,
    socket timeouts and :class:`BytesOnly`.
    """
    lock = threading.Lock()
    client = collections.deque(maxlen=1)

    def create_client():
        # dogpile makes a client per thread (per green thread under
        # eventlet), each with its own connections and dead-server
        # bookkeeping: one per process instead, used under the nonce
        # cache's lock.
        with lock:
            if not client:
                options = {}
                if backend.socket_keepalive is not None:
                    options['socket_keepalive'] = backend.socket_keepalive
                client.append(memcache_hash.HashClient(
                    backend.url, serde=BytesOnly(), default_noreply=False,
                    tls_context=backend.tls_context,
                    retry_attempts=backend.hashclient_retry_attempts,
                    retry_timeout=backend.hashclient_retry_timeout,
                    dead_timeout=backend.dead_timeout,
                    connect_timeout=timeout, timeout=timeout,
                    ignore_exc=False, **options))
            return client[0]

    backend._create_client = create_client
    return Store(backend, True, 'memcached %s' % ','.join(servers))
