"""Build and run the notification listener."""

import logging

import oslo_messaging

from novajoin.conf import service_credentials
from novajoin.hosts import nonce_cache
from novajoin.hosts import rebuild
from novajoin.hosts import reconcile
from novajoin.ipa import client as ipa_client
from novajoin.ipa import counting
from novajoin.notify import delivery
from novajoin.notify import endpoint as notify_endpoint
from novajoin.notify import handlers
from novajoin.notify import leader
from novajoin.notify import monitoring
from novajoin.notify import periodic
from novajoin.notify import redelivery
from novajoin.openstack import neutron
from novajoin.openstack import nova
from novajoin.openstack import servers
from novajoin.policies import enforcer as policy
from novajoin.services import manager as services_manager

LOG = logging.getLogger(__name__)


def build_targets(conf):
    """One target per (exchange, topic); exchanges are always explicit.

    Without an exchange the listener would bind to oslo.messaging's default
    ``openstack`` exchange and never see what nova and neutron publish.
    """
    group = conf.notify
    nova_topics = list(group.notification_topics)
    nova_topics += [topic for topic in group.versioned_notification_topics
                    if topic not in nova_topics]
    targets = [oslo_messaging.Target(topic=topic, exchange=group.nova_exchange)
               for topic in nova_topics]
    targets += [oslo_messaging.Target(topic=topic,
                                      exchange=group.neutron_exchange)
                for topic in group.neutron_topics]
    return targets


def build_dependencies(conf):
    """The clients every handler shares: one IPA client, one session.

    :raises novajoin.exception.ConfigurationError: rebuild re-enrollment is
        on and the OTP key cannot be loaded.
    """
    ipa = ipa_client.IPAClient.from_conf(conf)
    session = service_credentials.load_session(conf)
    server_directory = servers.ServerDirectory.from_conf(conf, session)
    rebuilds = None
    if conf.notify.rebuild_reenrollment:
        rebuilds = rebuild.Rebuilds.from_conf(conf, ipa, server_directory)
    return handlers.Dependencies(
        ipa=ipa,
        instances=nova.InstanceStatus.from_conf(conf, session),
        ports=neutron.PortLookup.from_conf(conf, session),
        floating_ips=neutron.FloatingIPLookup.from_conf(conf, session),
        zone=conf.domain or ipa.domain,
        services=services_manager.TLSServices.from_conf(
            conf, ipa, policy.build_enforcer(conf)),
        nova_servers=server_directory,
        rebuilds=rebuilds)


def build_periodic_reconciliation(conf, deps):
    """The periodic reconciliation, or None when it is off or cannot lock."""
    interval = conf.notify.reconcile_interval
    if not interval:
        return None
    try:
        params = leader.connection_params(conf)
    except leader.LockUnsupported as exc:
        LOG.warning('periodic reconciliation is off: its lock needs '
                    'RabbitMQ, and %s', exc)
        return None
    ipa_calls = counting.CountingIPA(deps.ipa)
    reconciler = reconcile.Reconciler(
        ipa_calls, deps.nova_servers, deps.instances,
        grace=conf.notify.reconcile_grace,
        ttl=conf.enrollment.unenrolled_host_ttl,
        max_delete_percent=conf.notify.reconcile_max_delete_percent,
        nonces=nonce_cache.NonceCache.from_conf(conf),
        tls_services=deps.services, floating_ips=deps.floating_ips,
        zone=deps.zone)
    keeper = leader.LockKeeper(
        leader.ExclusiveQueueLock(params, conf.notify.reconcile_lock_queue),
        retry_interval=min(interval, 60))
    return periodic.PeriodicReconciliation(reconciler, keeper, interval,
                                           ipa_calls=ipa_calls)


class NotifyService(object):
    """The listener's lifecycle: start consuming; stop and drain."""

    def __init__(self, conf, transport, endpoint, reconciliation=None,
                 monitor=None):
        self._conf = conf
        self._transport = transport
        self._endpoint = endpoint
        self._reconciliation = reconciliation
        self._monitor = monitor
        self._server = None

    @classmethod
    def from_conf(cls, conf):
        transport = oslo_messaging.get_notification_transport(conf)
        dead_letters = delivery.DeadLetterQueue.from_conf(conf, transport)
        deps = build_dependencies(conf)
        endpoint = notify_endpoint.NotificationEndpoint.from_conf(
            conf, deps, dead_letters)
        return cls(conf, transport, endpoint,
                   build_periodic_reconciliation(conf, deps),
                   monitoring.Monitoring.from_conf(conf, deps.ipa))

    def start(self):
        """Start consuming.

        :raises redelivery.RedeliveryFixUnavailable: the transport needs
            the redelivery fix and it cannot be applied; nothing is left
            consuming.
        """
        group = self._conf.notify
        targets = build_targets(self._conf)
        required = redelivery.is_required(self._conf)
        if required:
            redelivery.check_available()
        # allow_requeue: without it a REQUEUE result is acked and lost.
        self._server = oslo_messaging.get_notification_listener(
            self._transport, targets, [self._endpoint],
            executor='threading', pool=group.pool_name, allow_requeue=True)
        self._server.start(override_pool_size=group.max_in_flight)
        try:
            redelivery.handle_redeliveries(self._server, required)
        except redelivery.RedeliveryFixUnavailable:
            self.stop()
            raise
        if self._monitor is not None:
            self._monitor.start()
        LOG.info('listening pool=%s targets=%s max_in_flight=%d',
                 group.pool_name,
                 ','.join('%s/%s' % (t.exchange, t.topic) for t in targets),
                 group.max_in_flight)
        if self._reconciliation is not None:
            self._reconciliation.start()

    def stop(self):
        """Stop consuming, finish what was received, then disconnect.

        Messages received but not started are requeued, not acknowledged;
        the broker delivers them again to the next listener.
        """
        self._endpoint.begin_shutdown()
        if self._reconciliation is not None:
            self._reconciliation.stop()
        if self._server is not None:
            self._server.stop()
            self._server.wait()
        self._transport.cleanup()
        if self._monitor is not None:
            self._monitor.stop()
        LOG.info('stopped')
