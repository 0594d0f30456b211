"""Prometheus metrics of novajoin-server and novajoin-notify.

The metrics are plain prometheus-client objects that the code updates at a
few clear points (a request answered, an IPA call done, a notification
acknowledged). They are created unregistered; :func:`build_registry` makes
the registry an exposition endpoint reads, so nothing is registered
globally on import.

Several processes (uWSGI or mod_wsgi workers, ``[DEFAULT] workers > 1``):
prometheus-client's multiprocess mode. When ``PROMETHEUS_MULTIPROC_DIR``
is set in the environment before novajoin starts, every process writes its
values to files in that directory and any process's endpoint reports the
sum over all of them. The directory must exist, be writable by the service
user, and be emptied when the service (re)starts
(doc/source/admin/monitoring.rst).

Labels are bounded and never carry a secret or instance data: a decision
name, an HTTP status, an IPA command name, an outcome, an event type.
"""

import os

import prometheus_client
from prometheus_client import multiprocess

MULTIPROC_DIR_ENV = 'PROMETHEUS_MULTIPROC_DIR'

# nova waits 5 s for vendordata; the buckets resolve that range.
_REQUEST_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 10.0)
_IPA_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)

VENDORDATA_REQUESTS = prometheus_client.Histogram(
    'novajoin_vendordata_request_duration_seconds',
    'Vendordata requests (POST /v1) by decision and HTTP status, and how '
    'long they took.',
    ['decision', 'status'], buckets=_REQUEST_BUCKETS, registry=None)

IPA_CALLS = prometheus_client.Histogram(
    'novajoin_ipa_call_duration_seconds',
    'IPA JSON-RPC calls by command and outcome (ok, ipa_error, '
    'unavailable, failed), and how long they took, retries included.',
    ['command', 'outcome'], buckets=_IPA_BUCKETS, registry=None)

IPA_CONNECTION_WAITS = prometheus_client.Histogram(
    'novajoin_ipa_connection_wait_seconds',
    'Time callers waited for one of the [ipa] max_connections_per_server '
    'connections to an IPA server, by outcome (acquired, timeout).',
    ['outcome'], buckets=_IPA_BUCKETS, registry=None)

NOTIFICATIONS = prometheus_client.Counter(
    'novajoin_notifications',
    'Notifications novajoin-notify finished with, by event type and result '
    '(handled, requeued, dead_lettered).',
    ['event_type', 'result'], registry=None)

OWNED_HOSTS = prometheus_client.Gauge(
    'novajoin_owned_hosts',
    'IPA hosts whose description records a nova instance, by state '
    '(pending_enrollment: one-time password not used yet; enrolled), at '
    'the last count.',
    ['state'], multiprocess_mode='mostrecent', registry=None)

OWNED_HOSTS_COUNTED = prometheus_client.Gauge(
    'novajoin_owned_hosts_last_count_timestamp_seconds',
    'When novajoin_owned_hosts was last counted (Unix time).',
    multiprocess_mode='mostrecent', registry=None)

# For reconciliation: the action taken (deleted, ttl-started,
# record-removed, skipped, failed).
RECONCILE_ACTIONS = prometheus_client.Counter(
    'novajoin_reconcile_actions',
    'Changes made in IPA by reconciliation, by action.',
    ['action'], registry=None)

# The listener's periodic tasks (task: reconcile, owned_host_count).
BACKGROUND_INTERVAL = prometheus_client.Gauge(
    'novajoin_background_interval_seconds',
    'How often each periodic task of the listener runs, in seconds.',
    ['task'], multiprocess_mode='mostrecent', registry=None)

BACKGROUND_IPA_ROUND_TRIPS = prometheus_client.Gauge(
    'novajoin_background_ipa_round_trips',
    'IPA round trips (searches, batches, single commands) the last run of '
    'each periodic task made.',
    ['task'], multiprocess_mode='mostrecent', registry=None)

BACKGROUND_DURATION = prometheus_client.Gauge(
    'novajoin_background_duration_seconds',
    'How long the last run of each periodic task took, in seconds.',
    ['task'], multiprocess_mode='mostrecent', registry=None)

ALL = (VENDORDATA_REQUESTS, IPA_CALLS, IPA_CONNECTION_WAITS, NOTIFICATIONS,
       OWNED_HOSTS, OWNED_HOSTS_COUNTED, RECONCILE_ACTIONS,
       BACKGROUND_INTERVAL, BACKGROUND_IPA_ROUND_TRIPS, BACKGROUND_DURATION)


def multiprocess_dir(environ=None):
    """The multiprocess directory when multiprocess mode is on, else None."""
    environ = os.environ if environ is None else environ
    return environ.get(MULTIPROC_DIR_ENV) or None


def build_registry(environ=None):
    """A registry with novajoin's metrics, summed over processes if needed."""
    registry = prometheus_client.CollectorRegistry(auto_describe=True)
    if multiprocess_dir(environ):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in ALL:
            registry.register(metric)
    return registry


def exposition(registry, accept_header=None):
    """(body, content type) of the text exposition of ``registry``."""
    encoder, content_type = prometheus_client.exposition.choose_encoder(
        accept_header or '')
    return encoder(registry), content_type
