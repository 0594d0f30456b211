"""novajoin configuration.

Every option group lives in a module of its own with ``register_opts(conf)``
and ``list_opts()``; nothing is registered at import time. Processes build a
``cfg.ConfigOpts`` and call :func:`register_opts` on it once.
"""

from novajoin.conf import api
from novajoin.conf import cache
from novajoin.conf import default
from novajoin.conf import enrollment
from novajoin.conf import ipa
from novajoin.conf import metrics
from novajoin.conf import notify
from novajoin.conf import service_credentials
from novajoin.conf import services

_MODULES = (api, cache, default, enrollment, ipa, metrics, notify,
            service_credentials, services)

DEFAULT_CONFIG_FILES = ('/etc/novajoin/join.conf',)


def register_opts(conf):
    for module in _MODULES:
        module.register_opts(conf)


def list_opts():
    """(group, [opts]) pairs for every novajoin option, for the generator."""
    merged = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            merged.setdefault(group, []).extend(opts)
    return sorted(merged.items(), key=lambda item: item[0])
