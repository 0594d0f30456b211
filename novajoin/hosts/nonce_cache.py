"""The OTP nonce of a just-created host, shared by workers and replicas.

Problem: nova asks for the vendordata of one boot about six times within a
second or two, from any metadata process to any novajoin worker or replica.
Each repeat used to read the host entry back from IPA (``host_show``) to
find its nonce (:mod:`novajoin.hosts.otp`); IPA serves 4 calls at a time per
server, so those reads cost the whole cloud during a mass boot.

Design: the worker that adds the entry (or reads an unused one) stores its
nonce in memcached, under a key derived from the instance id and the FQDN,
for ``[enrollment] nonce_cache_ttl`` seconds (default 10). A repeat that
finds it derives the same OTP without any IPA call. The nonce is not
secret: without the OTP key it gives nothing. Anything unusual is a miss,
and a miss asks IPA: no ``[enrollment] memcached_servers``, a cold or
restarted memcached, a value that is not a nonce, or memcached not
answering within ``memcached_timeout`` (a failing server is then skipped for
a few seconds; one warning a minute is logged).

What the cache cannot see, and how it is bounded:

- novajoin's own changes are written through: re-arming after a rebuild
  stores the new nonce, and deleting an instance's host forgets it
  (:mod:`novajoin.hosts.rearm`), both before the change is reported done.
- Changes made directly in IPA (``ipa host-del``, ``ipa host-disable``)
  are seen once the entry expires, at most ``nonce_cache_ttl`` seconds
  later; until then a repeat may answer the earlier OTP, which IPA no
  longer accepts. The same holds for the few seconds after an instance
  enrolls: it may be answered the OTP it has just used, which is harmless.
- An expired entry is a miss, so the answer comes from IPA again.
- Whoever can write to memcached can make answers wrong (a denial of
  service), never make IPA accept an OTP: keep memcached on the control
  plane network, as for keystonemiddleware's token cache.

Records: other short facts about an instance's host (what TLS services
were satisfied for which metadata, :mod:`novajoin.services.records`) are
stored and loaded the same way (:meth:`NonceCache.store_record`,
:meth:`NonceCache.load_record`), under keys of their own and with the
caller's TTL. Without memcached they are kept in the process
(:class:`NoNonceCache`), never shared.
"""

import collections
import hashlib
import logging
import re
import threading
import time

import cachetools
from pymemcache.client import hash as memcache_hash
from pymemcache import exceptions as memcache_errors

LOG = logging.getLogger(__name__)

KEY_PREFIX = 'novajoin-nonce-v1-'
RECORD_KEY_PREFIX = 'novajoin-record-v1-'
# Records a process keeps without memcached; the oldest go first.
LOCAL_RECORDS = 10000
# A failed memcached server is skipped for this many seconds.
DEAD_SERVER_SECONDS = 10
WARNING_INTERVAL = 60.0

_NONCE = re.compile(r'[A-Za-z0-9_-]{1,64}')
_FAILURES = (memcache_errors.MemcacheError, OSError)

Lookup = collections.namedtuple('Lookup', ['nonce', 'answered'])
Lookup.__doc__ = """A nonce or None; whether memcached answered at all (a
miss from a working cache means the host is most likely new)."""


class NoNonceCache(object):
    """Used without ``[enrollment] memcached_servers``: always a miss.

    Records are kept in the process, at most :data:`LOCAL_RECORDS`.
    """

    def __init__(self, clock=time.monotonic):
        self._records = cachetools.TLRUCache(
            maxsize=LOCAL_RECORDS, ttu=lambda _key, value, now: value[0],
            timer=clock)
        self._clock = clock
        self._lock = threading.Lock()

    def lookup(self, instance_id, fqdn):
        return Lookup(None, False)

    # True: no earlier nonce can be answered from a cache.
    def remember(self, instance_id, fqdn, nonce, replace=True):
        return True

    def forget(self, instance_id, fqdn):
        return True

    def load_record(self, kind, instance_id, fqdn):
        with self._lock:
            found = self._records.get(record_key(kind, instance_id, fqdn))
        return None if found is None else found[1]

    def store_record(self, kind, instance_id, fqdn, value, ttl):
        with self._lock:
            self._records[record_key(kind, instance_id, fqdn)] = (
                self._clock() + ttl, value)
        return True


class NonceCache(object):
    """Nonces in memcached. Thread-safe; every failure is a miss."""

    def __init__(self, client, ttl, clock=time.monotonic):
        self._client = client
        self._ttl = ttl
        self._clock = clock
        # HashClient's bookkeeping of failed servers is not thread-safe;
        # its calls take well under a millisecond on a healthy server.
        self._client_lock = threading.Lock()
        self._warning_lock = threading.Lock()
        self._last_warning = None

    @classmethod
    def from_conf(cls, conf):
        """A NonceCache, or a NoNonceCache when no servers are set."""
        servers = conf.enrollment.memcached_servers
        if not servers:
            return NoNonceCache()
        timeout = conf.enrollment.memcached_timeout
        # retry_attempts=0: a server that fails is skipped at once for
        # dead_timeout; calls then raise instead of quietly missing.
        client = memcache_hash.HashClient(
            servers, connect_timeout=timeout, timeout=timeout,
            retry_attempts=0, dead_timeout=DEAD_SERVER_SECONDS,
            ignore_exc=False, default_noreply=False)
        return cls(client, conf.enrollment.nonce_cache_ttl)

    def lookup(self, instance_id, fqdn):
        """The :class:`Lookup` of this instance's ``fqdn``."""
        try:
            with self._client_lock:
                value = self._client.get(cache_key(instance_id, fqdn))
        except _FAILURES as exc:
            self._failed('read', exc)
            return Lookup(None, False)
        if value is None:
            return Lookup(None, True)
        nonce = value.decode('ascii', errors='replace')
        if not _NONCE.fullmatch(nonce):
            LOG.warning('Ignoring a value in memcached that is not a nonce '
                        'for instance=%s fqdn=%s', instance_id, fqdn)
            return Lookup(None, True)
        return Lookup(nonce, True)

    def remember(self, instance_id, fqdn, nonce, replace=True):
        """Share ``nonce``; True when memcached stored it.

        Whoever wrote the nonce to IPA replaces the cached one; a nonce
        only read from IPA is stored only where there is none, so a slow
        reader cannot overwrite a newer one.
        """
        store = self._client.set if replace else self._client.add
        try:
            with self._client_lock:
                stored = store(cache_key(instance_id, fqdn),
                               nonce.encode('ascii'), expire=self._ttl,
                               noreply=False)
        except _FAILURES as exc:
            self._failed('store', exc)
            return False
        return bool(stored)

    def forget(self, instance_id, fqdn):
        """Drop the nonce; True when memcached answered (found or not)."""
        try:
            with self._client_lock:
                self._client.delete(cache_key(instance_id, fqdn),
                                    noreply=False)
        except _FAILURES as exc:
            self._failed('forget', exc)
            return False
        return True

    def load_record(self, kind, instance_id, fqdn):
        """The bytes stored as the ``kind`` record of this host, or None.

        None also when memcached does not answer.
        """
        try:
            with self._client_lock:
                return self._client.get(record_key(kind, instance_id, fqdn))
        except _FAILURES as exc:
            self._failed('read', exc)
            return None

    def store_record(self, kind, instance_id, fqdn, value, ttl):
        """Store ``value`` (bytes) for ``ttl`` seconds; True when stored."""
        try:
            with self._client_lock:
                return bool(self._client.set(
                    record_key(kind, instance_id, fqdn), value, expire=ttl,
                    noreply=False))
        except _FAILURES as exc:
            self._failed('store', exc)
            return False

    def _failed(self, action, exc):
        now = self._clock()
        with self._warning_lock:
            if (self._last_warning is not None
                    and now - self._last_warning < WARNING_INTERVAL):
                return
            self._last_warning = now
        LOG.warning('memcached could not %s an OTP nonce (%s: %s); asking '
                    'IPA instead. Further failures in the next %d s are not '
                    'logged.', action, type(exc).__name__, exc,
                    WARNING_INTERVAL)


def record_key(kind, instance_id, fqdn):
    """The memcached key of a ``kind`` record of one instance's host."""
    return RECORD_KEY_PREFIX + cache_key(kind + '\n' + instance_id,
                                         fqdn)[len(KEY_PREFIX):]


def cache_key(instance_id, fqdn):
    """The memcached key of one instance's host: printable, < 250 bytes."""
    digest = hashlib.sha256(('%s\n%s' % (instance_id, fqdn)).encode(
        'utf-8')).hexdigest()
    return KEY_PREFIX + digest
