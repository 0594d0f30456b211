"""One listener at a time: a lock held as a RabbitMQ exclusive queue.

Problem: several ``novajoin-notify`` replicas run on several hosts, and
periodic reconciliation should run in one of them at a time, without a
database of its own.

Design: in AMQP 0-9-1 only the connection that declared an *exclusive*
queue may use it; another connection declaring the same name gets
``RESOURCE_LOCKED`` (405), and the broker deletes the queue as soon as its
connection closes -- at a clean stop, when the process dies (the kernel
closes the socket), or when heartbeats stop because the host died. The
listener whose connection holds the queue ``[notify] reconcile_lock_queue``
is the one that reconciles; the others try again every so often and take
over when the holder is gone. Holding costs one idle AMQP connection with
heartbeats; no message ever goes through the queue. In a RabbitMQ cluster
the name is locked cluster-wide.

Limit: if the holder loses its connection in the middle of a run, another
listener may start a run before the first one ends. Reconciliation is
idempotent (what is already gone counts as done), so both runs stay safe.
"""

import logging
import socket
import ssl
import threading

import amqp.exceptions
import kombu
import oslo_messaging

LOG = logging.getLogger(__name__)

HEARTBEAT = 30
# How long one heartbeat pump waits for frames.
_PUMP_SECONDS = 1.0


class LockUnsupported(Exception):
    """The transport is not RabbitMQ; the lock cannot be held."""


def connection_params(conf):
    """kombu.Connection keyword arguments, one dict per broker host.

    :raises LockUnsupported: the notification transport is not rabbit://.
    """
    url = oslo_messaging.TransportURL.parse(
        conf, conf.oslo_messaging_notifications.transport_url)
    if url.transport not in ('rabbit', 'amqp', 'pyamqp'):
        raise LockUnsupported('the notification transport %s:// is not '
                              'RabbitMQ' % url.transport)
    rabbit = conf.oslo_messaging_rabbit
    tls = False
    if rabbit.ssl:
        tls = {'cert_reqs': ssl.CERT_REQUIRED}
        if rabbit.ssl_ca_file:
            tls['ca_certs'] = rabbit.ssl_ca_file
        if rabbit.ssl_cert_file:
            tls['certfile'] = rabbit.ssl_cert_file
        if rabbit.ssl_key_file:
            tls['keyfile'] = rabbit.ssl_key_file
    return [{'hostname': host.hostname, 'port': host.port or 5672,
             'userid': host.username or 'guest',
             'password': host.password or 'guest',
             'virtual_host': url.virtual_host or '/',
             'transport': 'pyamqp', 'ssl': tls, 'heartbeat': HEARTBEAT,
             'connect_timeout': 10}
            for host in url.hosts]


class ExclusiveQueueLock(object):
    """Try to hold the queue; keep its connection alive while held.

    Not thread-safe: one thread (:class:`LockKeeper`) uses it.
    """

    def __init__(self, params, queue_name):
        self._params = list(params)
        self._queue_name = queue_name
        self._connection = None

    @property
    def held(self):
        return self._connection is not None

    def try_acquire(self):
        """True if this process holds the lock now."""
        if self.held:
            return True
        for params in self._params:
            connection = kombu.Connection(**params)
            try:
                connection.connect()
                connection.default_channel.queue_declare(
                    queue=self._queue_name, exclusive=True)
            except amqp.exceptions.ResourceLocked:
                connection.release()
                return False
            except (OSError, amqp.exceptions.AMQPError,
                    kombu.exceptions.KombuError) as exc:
                LOG.warning('reconcile lock: broker %s:%s not usable: %s: '
                            '%s', params['hostname'], params['port'],
                            type(exc).__name__, exc)
                connection.release()
                continue
            self._connection = connection
            return True
        return False

    def keep_alive(self):
        """Pump heartbeats for about a second; False if the lock was lost."""
        if not self.held:
            return False
        try:
            try:
                self._connection.drain_events(timeout=_PUMP_SECONDS)
            except socket.timeout:
                pass
            self._connection.heartbeat_check()
        except (OSError, amqp.exceptions.AMQPError,
                kombu.exceptions.KombuError) as exc:
            LOG.warning('reconcile lock lost: %s: %s', type(exc).__name__,
                        exc)
            self.release()
            return False
        return True

    def release(self):
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.release()
            except (OSError, amqp.exceptions.AMQPError,
                    kombu.exceptions.KombuError):
                LOG.debug('reconcile lock: closing a broken connection '
                          'failed')


class LockKeeper(object):
    """A thread that takes the lock when it is free and keeps it."""

    def __init__(self, lock, retry_interval):
        self._lock = lock
        self._retry_interval = retry_interval
        self._held = threading.Event()
        self._stop = threading.Event()
        self._thread = None

    def is_held(self):
        return self._held.is_set()

    def start(self):
        self._thread = threading.Thread(target=self._run,
                                        name='reconcile-lock', daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._lock.release()
        self._held.clear()

    def _run(self):
        while not self._stop.is_set():
            if self._lock.keep_alive():
                continue
            self._held.clear()
            if self._lock.try_acquire():
                LOG.info('reconcile lock acquired; this listener runs '
                         'periodic reconciliation')
                self._held.set()
                continue
            self._stop.wait(self._retry_interval)
