"""What the vendordata requests of an instance already did for its services.

Problem: an instance triggers a vendordata request itself, by reading
``vendor_data2.json``; each used to read every name its services metadata
involves from IPA again (with 64 principals, hundreds of commands).

:class:`Records` remembers, in the nonce cache's store
(:mod:`novajoin.hosts.nonce_cache`: the ``[cache]`` backend when one is
configured, else this process), for ``[services] record_ttl``
seconds:

- ``services-satisfied``: a digest of the instance's services metadata
  (with its FQDN) once a request with it was satisfied, so that a repeat
  with the same metadata costs no IPA call;
- ``services-boot``: the managed principals the boot-roles allowed at the
  instance's first vendordata request, so that a later request of that
  boot may still create them when the first could not.

Anything unusual in a stored value is a miss (a read from IPA; no managed
service allowed by boot-roles). Values name the instance, so one stored
for another key is never taken for this one.

:class:`HourlyBudget` counts, per instance and in this process, the IPA
reads its vendordata requests cost in the last hour.
"""

import collections
import hashlib
import json
import threading
import time

import cachetools

from novajoin.services import metadata as service_metadata

SATISFIED = 'services-satisfied'
BOOT = 'services-boot'
HOUR = 3600.0
# Instances an API process keeps a budget for; the oldest go first.
BUDGET_INSTANCES = 10000


def digest(fqdn, metadata):
    """A hex digest of ``fqdn`` and the services keys of ``metadata``."""
    keys = {key: value for key, value in metadata.items()
            if key.startswith((service_metadata.COMPACT_PREFIX,
                               service_metadata.MANAGED_PREFIX))
            or key == service_metadata.COMPACT_LEGACY_KEY}
    document = json.dumps([fqdn, keys], sort_keys=True,
                          separators=(',', ':'))
    return hashlib.sha256(document.encode('utf-8')).hexdigest()


class Records(object):
    """Satisfied requests and boot-allowed managed services, per host."""

    def __init__(self, cache, ttl):
        self._cache = cache
        self._ttl = ttl

    def satisfied(self, instance, metadata_digest):
        """Whether a request with this digest was satisfied."""
        return self._load(SATISFIED, instance) == [metadata_digest]

    def remember_satisfied(self, instance, metadata_digest):
        self._store(SATISFIED, instance, [metadata_digest])

    def boot_managed(self, instance):
        """The managed principals (str) the boot-roles allowed."""
        value = self._load(BOOT, instance)
        if value is None or not all(isinstance(p, str) for p in value):
            return frozenset()
        return frozenset(value)

    def remember_boot_managed(self, instance, principals):
        self._store(BOOT, instance, sorted(str(p) for p in principals))

    def _load(self, kind, instance):
        raw = self._cache.load_record(kind, instance.instance_id,
                                      instance.fqdn)
        if raw is None:
            return None
        try:
            document = json.loads(raw.decode('utf-8'))
        except (UnicodeDecodeError, ValueError):
            return None
        if (not isinstance(document, dict)
                or document.get('instance') != instance.instance_id
                or document.get('fqdn') != instance.fqdn
                or not isinstance(document.get('value'), list)):
            return None
        return document['value']

    def _store(self, kind, instance, value):
        document = {'instance': instance.instance_id, 'fqdn': instance.fqdn,
                    'value': value}
        self._cache.store_record(
            kind, instance.instance_id, instance.fqdn,
            json.dumps(document, sort_keys=True).encode('utf-8'), self._ttl)


class HourlyBudget(object):
    """At most ``limit`` uses per instance in any hour; thread-safe."""

    def __init__(self, limit, clock=time.monotonic):
        self._limit = limit
        self._clock = clock
        self._uses = cachetools.TTLCache(maxsize=BUDGET_INSTANCES,
                                         ttl=HOUR, timer=clock)
        self._lock = threading.Lock()

    @property
    def limit(self):
        return self._limit

    def take(self, instance_id):
        """Count one use; False (nothing counted) beyond the budget."""
        now = self._clock()
        with self._lock:
            uses = self._uses.get(instance_id) or collections.deque()
            while uses and uses[0] <= now - HOUR:
                uses.popleft()
            if len(uses) >= self._limit:
                return False
            uses.append(now)
            # Stored again: the entry lives an hour after its last use.
            self._uses[instance_id] = uses
            return True
