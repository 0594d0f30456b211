"""An instance update handled after nova deleted the instance, before its
delete notification: nothing is created (real RabbitMQ, novajoin-notify,
IPA simulator, nova stand-in)."""

import json

import pytest

from tests.fixtures import notifications as samples
from tests.fixtures import rabbit
from tests.functional.notify import lifecycle

DOMAIN = 'example.test'


@pytest.mark.parametrize('make,topic,publisher', [
    (samples.versioned_update, 'versioned_notifications',
     rabbit.NOVA_VERSIONED_PUBLISHER),
    (samples.legacy_update, 'notifications', rabbit.NOVA_LEGACY_PUBLISHER)])
def test_update_after_nova_reports_the_instance_deleted_creates_nothing(
        env, make, topic, publisher):
    listener = env.start_listener()
    instance_id, fqdn = env.enrolled_host()
    project_id = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    subhost = '%s.internalapi.%s' % (fqdn.split('.', 1)[0], DOMAIN)
    # nova already deleted it; its delete notification is still queued.
    env.openstack.set_server(instance_id, status='DELETED',
                             project_id=project_id)
    metadata = {'ipa_enroll': 'true',
                'compact_service_HTTP': json.dumps(['internalapi'])}

    env.nova.send(make(instance_id, metadata, project_id), topic, publisher)

    listener.wait_for_outcome(instance_id, 'instance-gone')
    assert subhost not in env.host_fqdns()
    assert fqdn in env.host_fqdns()
    ipa = lifecycle.ipa_admin_client(env.ipa)
    try:
        assert ipa.service_find(criteria=subhost,
                                sizelimit=0)['count'] == 0
    finally:
        ipa.close()
    assert ('instance=%s fqdn=%s outcome=instance-gone' % (instance_id, fqdn)
            in listener.log())
    assert 'nova reports the instance deleted' in listener.log()

    # The same update for the living instance does create the subhost:
    # the test exercises the path it guards.
    env.openstack.set_server(instance_id, project_id=project_id)
    env.nova.send(make(instance_id, metadata, project_id), topic, publisher)
    listener.wait_for_outcome(instance_id, 'services-updated')
    assert subhost in env.host_fqdns()
