"""novajoin-notify's metrics endpoint and the owned-host count behind it.

With ``[metrics] enabled`` the listener serves /metrics on its own port
(prometheus-client's HTTP server, in a daemon thread) and counts the hosts
novajoin owns every ``owned_hosts_interval`` seconds
(:mod:`novajoin.hosts.owned_hosts`). A failed count is logged and leaves the
last values, whose age ``novajoin_owned_hosts_last_count_timestamp_seconds``
shows. Each count's cost (:mod:`novajoin.hosts.owned_hosts`: about N/250
IPA round trips, memory flat) and duration are published with the
interval (``novajoin_background_*{task="owned_host_count"}``).
"""

import logging
import threading
import time

import prometheus_client

from novajoin.hosts import owned_hosts
from novajoin.ipa import counting
from novajoin import metrics

LOG = logging.getLogger(__name__)

TASK = 'owned_host_count'


class Monitoring(object):

    def __init__(self, ipa, host, port, interval):
        self._ipa = counting.CountingIPA(ipa)
        self._host = host
        self._port = port
        self._interval = interval
        self._stopping = threading.Event()
        self._server = None
        self._counter = None

    @classmethod
    def from_conf(cls, conf, ipa):
        """A Monitoring, or None when ``[metrics] enabled`` is false."""
        group = conf.metrics
        if not group.enabled:
            return None
        return cls(ipa, group.listener_host, group.listener_port,
                   group.owned_hosts_interval)

    def start(self):
        self._server, _ = prometheus_client.start_http_server(
            self._port, addr=self._host, registry=metrics.build_registry())
        LOG.info('serving metrics on http://%s:%d/metrics', self._host,
                 self._port)
        if self._interval:
            metrics.BACKGROUND_INTERVAL.labels(task=TASK).set(self._interval)
            self._counter = threading.Thread(
                target=self._count_periodically, name='owned-host-count',
                daemon=True)
            self._counter.start()

    def stop(self):
        self._stopping.set()
        if self._counter is not None:
            self._counter.join()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _count_periodically(self):
        while not self._stopping.is_set():
            self.count_owned_hosts()
            self._stopping.wait(self._interval)

    def count_owned_hosts(self):
        self._ipa.reset()
        started = time.monotonic()
        try:
            count = owned_hosts.count_owned_hosts(self._ipa)
        except Exception as exc:
            LOG.warning('could not count owned IPA hosts: %s: %s',
                        type(exc).__name__, exc)
            return
        finally:
            metrics.BACKGROUND_DURATION.labels(task=TASK).set(
                time.monotonic() - started)
            metrics.BACKGROUND_IPA_ROUND_TRIPS.labels(task=TASK).set(
                self._ipa.round_trips)
        metrics.OWNED_HOSTS.labels(state='pending_enrollment').set(
            count.pending_enrollment)
        metrics.OWNED_HOSTS.labels(state='enrolled').set(count.enrolled)
        metrics.OWNED_HOSTS_COUNTED.set(time.time())
        LOG.debug('owned IPA hosts pending_enrollment=%d enrolled=%d',
                  count.pending_enrollment, count.enrolled)
