"""Nova's side of the sandbox: vendordata requests and notifications."""

import dataclasses
import os
import uuid

from oslo_config import cfg
from oslo_context import context as oslo_context
import oslo_messaging
import requests

from tests.fixtures import notifications

# What nova's DynamicJSON client sends (nova/api/metadata/
# vendordata_dynamic.py) and its default connect/read timeouts.
NOVA_HEADERS = {'Content-Type': 'application/json',
                'Accept': 'application/json',
                'User-Agent': 'openstack-nova-vendordata'}
NOVA_TIMEOUT = (5, 5)

VERSIONED_TOPIC = 'versioned_notifications'
LEGACY_TOPIC = 'notifications'


@dataclasses.dataclass
class Instance(object):
    hostname: str
    instance_id: str = dataclasses.field(
        default_factory=lambda: str(uuid.uuid4()))
    project_id: str = dataclasses.field(
        default_factory=lambda: uuid.uuid4().hex)
    image_id: str = dataclasses.field(
        default_factory=lambda: str(uuid.uuid4()))
    metadata: dict = dataclasses.field(
        default_factory=lambda: {'ipa_enroll': 'true'})
    # The booting user's roles, as nova records them at boot.
    boot_roles: str = 'member,reader'

    def vendordata_body(self):
        return {
            'project-id': self.project_id,
            'instance-id': self.instance_id,
            'image-id': self.image_id,
            'user-data': None,
            'hostname': self.hostname,
            'metadata': self.metadata,
            'boot-roles': self.boot_roles,
        }


class VendordataCaller(object):
    """POSTs vendordata requests to novajoin as nova's metadata API does."""

    def __init__(self, url, ca_file):
        self.url = url.rstrip('/') + '/v1'
        # Per request: a Session's verify loses to REQUESTS_CA_BUNDLE.
        self._ca_file = ca_file
        self._http = requests.Session()

    def post(self, instance):
        return self._http.post(self.url, json=instance.vendordata_body(),
                               headers=NOVA_HEADERS, timeout=NOVA_TIMEOUT,
                               verify=self._ca_file)

    def close(self):
        self._http.close()


def publisher_transport(workdir, transport_url, control_exchange='nova'):
    """A transport publishing on nova's exchange, as nova configures it."""
    path = os.path.join(workdir, 'publisher-%s.conf' % control_exchange)
    with open(path, 'w') as f:
        f.write('[DEFAULT]\ncontrol_exchange = %s\ntransport_url = %s\n'
                % (control_exchange, transport_url))
    conf = cfg.ConfigOpts()
    conf([], project='sandbox-publisher', default_config_files=[path])
    return oslo_messaging.get_notification_transport(conf)


class DeleteNotifier(object):
    """Publishes nova's ``instance.delete.end`` notifications."""

    def __init__(self, transport):
        self._transport = transport

    def _send(self, message, topic):
        notifier = oslo_messaging.Notifier(
            self._transport, publisher_id=message['publisher_id'],
            driver='messagingv2', topics=[topic])
        context = oslo_context.RequestContext(
            request_id='req-%s' % uuid.uuid4(), project_id='sandbox',
            user_id='sandbox')
        notifier.info(context, message['event_type'], message['payload'])

    def versioned_delete(self, instance):
        """nova's versioned InstanceActionPayload, as nova-compute sends."""
        self._send(notifications.versioned_delete(
            instance.instance_id, host_name=instance.hostname),
            VERSIONED_TOPIC)

    def legacy_delete(self, instance):
        """The legacy ``compute.instance.delete.end`` notification."""
        self._send(notifications.legacy_delete(
            instance.instance_id, hostname=instance.hostname),
            LEGACY_TOPIC)
