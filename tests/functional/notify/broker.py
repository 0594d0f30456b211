"""RabbitMQ helpers for the listener tests: a private vhost, publishing the
way nova and neutron do, and looking at queues and connections.

Each test session gets its own vhost, so the real exchange and topic names
(``nova``/``neutron``, ``notifications``, ``versioned_notifications``) can be
used without seeing, or taking, anyone else's messages on the shared broker.
"""

import json
import os
import re
import subprocess
import uuid

import kombu
from oslo_config import cfg
from oslo_context import context as oslo_context
import oslo_messaging

HOST = '127.0.0.1'
PORT = 5672
USER = 'guest'
PASSWORD = 'guest'

NOVA_VERSIONED_PUBLISHER = 'nova-compute:compute'
NOVA_LEGACY_PUBLISHER = 'compute.compute-0'
NOVA_NETWORK_PUBLISHER = 'network.compute-0'
NEUTRON_PUBLISHER = 'network.controller-0'

CONNECTION_NAME = re.compile(r'\{"connection_name","([^"]*)"\}')


def rabbitmqctl(*args):
    result = subprocess.run(['rabbitmqctl', '-q'] + list(args),
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError('rabbitmqctl %s failed: %s%s'
                           % (' '.join(args), result.stdout, result.stderr))
    return result.stdout


class VirtualHost(object):
    """A vhost created for this test session and deleted afterwards."""

    def __init__(self, name):
        self.name = name

    @classmethod
    def create(cls):
        vhost = cls('novajoin-notify-test-%s' % uuid.uuid4().hex[:8])
        rabbitmqctl('add_vhost', vhost.name)
        rabbitmqctl('set_permissions', '-p', vhost.name, USER, '.*', '.*',
                    '.*')
        return vhost

    def delete(self):
        rabbitmqctl('delete_vhost', self.name)

    @property
    def transport_url(self):
        return 'rabbit://%s:%s@%s:%d/%s' % (USER, PASSWORD, HOST, PORT,
                                            self.name)

    def queue_depths(self):
        """{queue name: messages (ready + unacknowledged)}."""
        out = rabbitmqctl('list_queues', '-p', self.name, 'name',
                          'messages', '--formatter', 'json')
        return {q['name']: q['messages'] for q in json.loads(out or '[]')}

    def connections(self):
        """[(erlang pid, connection name)] of this vhost's connections."""
        out = rabbitmqctl('list_connections', 'pid', 'vhost',
                          'client_properties')
        found = []
        for line in out.splitlines()[1:]:
            pid, vhost, properties = (line.split('\t') + ['', ''])[:3]
            if vhost != self.name:
                continue
            name = CONNECTION_NAME.search(properties)
            found.append((pid, name.group(1) if name else ''))
        return found

    def close_connections_of(self, pid):
        """Close the broker connections process ``pid`` opened.

        oslo.messaging names each connection ``<program>:<pid>:<id>`` in the
        AMQP client properties.
        """
        closed = 0
        for connection_pid, name in self.connections():
            if name.split(':')[1:2] == [str(pid)]:
                rabbitmqctl('close_connection', connection_pid,
                            'test closes the listener connection')
                closed += 1
        return closed

    def kombu_connection(self):
        return kombu.Connection(hostname=HOST, port=PORT, userid=USER,
                                password=PASSWORD, virtual_host=self.name)

    def publish_raw(self, exchange, routing_key, body,
                    content_type='application/json'):
        """Put bytes on an exchange, bypassing oslo.messaging."""
        with self.kombu_connection() as connection:
            producer = connection.Producer()
            producer.publish(body, exchange=kombu.Exchange(
                exchange, type='topic', durable=False),
                routing_key=routing_key, content_type=content_type,
                content_encoding='utf-8', retry=True)

    def delete_queues(self, names):
        with self.kombu_connection() as connection:
            channel = connection.channel()
            for name in names:
                channel.queue_delete(name)

    def drain(self, queue, limit=1000):
        """Take up to ``limit`` messages off ``queue``: decoded JSON bodies."""
        bodies = []
        with self.kombu_connection() as connection:
            simple = connection.SimpleQueue(kombu.Queue(queue,
                                                        no_declare=True))
            try:
                while len(bodies) < limit:
                    try:
                        message = simple.get(block=True, timeout=1)
                    except simple.Empty:
                        break
                    bodies.append(message.payload)
                    message.ack()
            finally:
                simple.close()
        return bodies


class Publisher(object):
    """oslo.messaging Notifiers set up the way nova and neutron set theirs.

    The service's control exchange, driver messagingv2.
    """

    def __init__(self, workdir, transport_url, control_exchange):
        path = os.path.join(str(workdir), 'publisher-%s.conf'
                            % control_exchange)
        with open(path, 'w') as conf_file:
            conf_file.write('[DEFAULT]\ncontrol_exchange = %s\n'
                            'transport_url = %s\n'
                            % (control_exchange, transport_url))
        self.conf = cfg.ConfigOpts()
        self.conf([], project='publisher', default_config_files=[path])
        self.transport = oslo_messaging.get_notification_transport(self.conf)
        self._notifiers = {}

    def notifier(self, publisher_id, topic):
        key = (publisher_id, topic)
        if key not in self._notifiers:
            self._notifiers[key] = oslo_messaging.Notifier(
                self.transport, publisher_id=publisher_id,
                driver='messagingv2', topics=[topic])
        return self._notifiers[key]

    def send(self, message, topic, publisher_id=None):
        """Publish a sample message (event_type, payload, publisher_id)."""
        context = oslo_context.RequestContext(
            request_id='req-%s' % uuid.uuid4(), project_id='demo-project',
            user_id='demo-user')
        notifier = self.notifier(publisher_id or message['publisher_id'],
                                 topic)
        getattr(notifier, message.get('priority', 'INFO').lower())(
            context, message['event_type'], message['payload'])

    def close(self):
        self.transport.cleanup()
