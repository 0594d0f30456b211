"""Logins a worker does as soon as it serves, not during its first request.

A new worker's first enrollment would otherwise log in to Keystone twice
(keystonemiddleware's own credentials and ``[service_credentials]``),
connect to Glance (which validates novajoin's token), and log in to IPA,
one after the other, before its single IPA round trip. Each step here
runs in a thread of its own (green under novajoin-server) once the worker
listens; a request that arrives meanwhile waits for the same login rather
than starting another.

A step that fails only logs a warning: the request that needs the login
tries again, and answers 503 if it still cannot.
"""

import threading
import time

from keystoneauth1 import exceptions as ksa_exceptions
from keystonemiddleware import exceptions as ksm_exceptions
from oslo_log import log as logging

from novajoin.ipa import errors as ipa_errors
from novajoin.openstack import http

LOG = logging.getLogger(__name__)

# Where novajoin.api.deploy.load_app hands the WarmUp to the paste
# pipeline's factories (in global_conf).
GLOBAL_CONF_KEY = 'novajoin_warm_up'

# What a login step may fail with when a service is down, slow or refuses
# the credentials.
EXPECTED_FAILURES = (ipa_errors.IPAError, ksa_exceptions.ClientException,
                     ksm_exceptions.KeystoneMiddlewareException,
                     http.ServiceUnavailable, OSError)


class WarmUp(object):
    """Named steps, run at once each in its own thread by :meth:`start`."""

    def __init__(self, clock=time.monotonic):
        self._steps = []
        self._clock = clock

    def add(self, name, step):
        """``step()`` logs in somewhere; ``name`` says where (no secrets)."""
        self._steps.append((name, step))

    @property
    def names(self):
        return [name for name, _ in self._steps]

    def start(self):
        """Start every step; the threads are returned (tests join them)."""
        threads = [threading.Thread(target=self._run, args=(name, step),
                                    name='warm-up: %s' % name, daemon=True)
                   for name, step in self._steps]
        for thread in threads:
            thread.start()
        return threads

    def _run(self, name, step):
        started = self._clock()
        try:
            step()
        except EXPECTED_FAILURES as exc:
            LOG.warning('%s failed at start (the first request that needs '
                        'it tries again): %s', name, exc)
            return
        except Exception:
            # A bug, not an outage: the traceback goes to the log, and the
            # worker serves on.
            LOG.exception('%s failed at start', name)
            return
        LOG.info('%s done at start in %.2f s', name, self._clock() - started)
