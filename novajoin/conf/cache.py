"""[cache]: oslo.cache's options, as in nova and keystone.

novajoin keeps the OTP nonces of just-created hosts and its records of
TLS services there (:mod:`novajoin.hosts.cache_store`): with ``enabled =
false`` (the default) in each process, with ``enabled = true``, ``backend
= dogpile.cache.pymemcache`` and ``memcache_servers`` in memcached, shared
by every worker and replica. The options are oslo.cache's own, registered
by :func:`oslo_cache.core.configure` when a process sets up its
configuration, never at import.
"""

from oslo_cache import core as cache_core

GROUP = 'cache'


def register_opts(conf):
    cache_core.configure(conf)


def list_opts():
    # oslo.cache publishes its options for the generator only this way
    # (nova and keystone do the same).
    return dict(cache_core._opts.list_opts())
