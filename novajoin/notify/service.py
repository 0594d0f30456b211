"""Build and run the notification listener."""

import logging

import oslo_messaging

from novajoin.conf import service_credentials
from novajoin.ipa import client as ipa_client
from novajoin.notify import delivery
from novajoin.notify import endpoint as notify_endpoint
from novajoin.notify import handlers
from novajoin.notify import monitoring
from novajoin.notify import redelivery
from novajoin.openstack import neutron
from novajoin.openstack import nova
from novajoin import policy
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
    """The clients every handler shares: one IPA client, one session."""
    ipa = ipa_client.IPAClient.from_conf(conf)
    session = service_credentials.load_session(conf)
    return handlers.Dependencies(
        ipa=ipa,
        instances=nova.InstanceStatus.from_conf(conf, session),
        ports=neutron.PortLookup.from_conf(conf, session),
        zone=conf.domain or ipa.domain,
        services=services_manager.TLSServices.from_conf(
            conf, ipa, policy.build_enforcer(conf)))


class NotifyService(object):
    """The listener's lifecycle: start consuming; stop and drain."""

    def __init__(self, conf, transport, endpoint, monitor=None):
        self._conf = conf
        self._transport = transport
        self._endpoint = endpoint
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

    def stop(self):
        """Stop consuming, finish what was received, then disconnect.

        Messages received but not started are requeued, not acknowledged;
        the broker delivers them again to the next listener.
        """
        self._endpoint.begin_shutdown()
        if self._server is not None:
            self._server.stop()
            self._server.wait()
        self._transport.cleanup()
        if self._monitor is not None:
            self._monitor.stop()
        LOG.info('stopped')
