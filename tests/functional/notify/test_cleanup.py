"""Deletes and floating IPs, end to end: oslo.messaging Notifier on the real
broker -> novajoin-notify -> IPA simulator (and nova/neutron stand-in)."""

import uuid

from tests.fixtures import notifications as samples
from tests.fixtures import rabbit
from tests.functional.notify.conftest import wait_until

VERSIONED = 'versioned_notifications'
LEGACY = 'notifications'


def short_name(fqdn):
    return fqdn.split('.', 1)[0]


def test_versioned_delete_removes_host_and_its_a_records(env):
    listener = env.start_listener()
    instance_id, fqdn, port_id, project_id = env.booted_instance()
    env.neutron.send(samples.neutron_associate('203.0.113.10', port_id,
                                               instance_id, project_id),
                     LEGACY, rabbit.NEUTRON_PUBLISHER)
    wait_until(lambda: env.a_records().get(short_name(fqdn)),
               'the floating IP record of %s' % fqdn)
    env.openstack.delete_server(instance_id)

    env.nova.send(samples.versioned_delete(instance_id), VERSIONED,
                  rabbit.NOVA_VERSIONED_PUBLISHER)

    listener.wait_for_outcome(instance_id, 'deleted')
    assert fqdn not in env.host_fqdns()
    assert short_name(fqdn) not in env.a_records()


def test_legacy_delete_removes_host_and_its_a_records(env):
    listener = env.start_listener()
    instance_id, fqdn, _, project_id = env.booted_instance()
    env.nova.send(samples.nova_floating_ip(True, '203.0.113.11',
                                           instance_id, project_id), LEGACY,
                  rabbit.NOVA_NETWORK_PUBLISHER)
    wait_until(lambda: env.a_records().get(short_name(fqdn)),
               'the floating IP record of %s' % fqdn)
    env.openstack.delete_server(instance_id)

    env.nova.send(samples.legacy_delete(instance_id), LEGACY,
                  rabbit.NOVA_LEGACY_PUBLISHER)

    listener.wait_for_outcome(instance_id, 'deleted')
    assert fqdn not in env.host_fqdns()
    assert short_name(fqdn) not in env.a_records()


def test_neutron_floating_ip_associate_then_disassociate(env):
    listener = env.start_listener()
    instance_id, fqdn, port_id, project_id = env.booted_instance()

    env.neutron.send(samples.neutron_associate('203.0.113.12', port_id,
                                               instance_id, project_id),
                     LEGACY, rabbit.NEUTRON_PUBLISHER)
    wait_until(lambda: env.a_records().get(short_name(fqdn)) == [
        '203.0.113.12'], 'A record 203.0.113.12 for %s' % fqdn)

    env.neutron.send(samples.neutron_disassociate('203.0.113.12'), LEGACY,
                     rabbit.NEUTRON_PUBLISHER)
    wait_until(lambda: short_name(fqdn) not in env.a_records(),
               'A record of %s removed' % fqdn)
    assert fqdn in env.host_fqdns()
    assert listener.outcomes('floatingip.update.end')[-1][2] == (
        'record-removed')


def test_old_neutron_associate_finds_the_instance_through_the_port(env):
    env.start_listener()
    instance_id, fqdn, port_id, project_id = env.booted_instance()

    env.neutron.send(samples.neutron_associate('203.0.113.13', port_id,
                                               project_id=project_id),
                     LEGACY, rabbit.NEUTRON_PUBLISHER)

    wait_until(lambda: env.a_records().get(short_name(fqdn)) == [
        '203.0.113.13'], 'A record 203.0.113.13 for %s' % fqdn)
    assert ('GET', '/network/v2.0/ports/%s' % port_id) in (
        env.openstack.requests)


def test_nova_network_floating_ip_associate_then_disassociate(env):
    env.start_listener()
    instance_id, fqdn, _, project_id = env.booted_instance()
    env.nova.send(samples.nova_floating_ip(True, '203.0.113.14',
                                           instance_id, project_id), LEGACY,
                  rabbit.NOVA_NETWORK_PUBLISHER)
    wait_until(lambda: env.a_records().get(short_name(fqdn)) == [
        '203.0.113.14'], 'A record 203.0.113.14 for %s' % fqdn)

    env.nova.send(samples.nova_floating_ip(False, '203.0.113.14',
                                           instance_id), LEGACY,
                  rabbit.NOVA_NETWORK_PUBLISHER)
    wait_until(lambda: short_name(fqdn) not in env.a_records(),
               'A record of %s removed' % fqdn)


def test_forged_delete_for_a_living_instance_deletes_nothing(env):
    listener = env.start_listener()
    instance_id, fqdn = env.enrolled_host()
    env.openstack.set_server(instance_id, status='ACTIVE')
    try:
        env.nova.send(samples.versioned_delete(instance_id), VERSIONED,
                      rabbit.NOVA_VERSIONED_PUBLISHER)
        listener.wait_for_outcome(instance_id, 'kept-instance-alive')
    finally:
        env.openstack.delete_server(instance_id)
    assert fqdn in env.host_fqdns()
    assert 'still exists' in listener.log()


def test_host_owned_by_another_instance_is_not_deleted(env):
    listener = env.start_listener()
    deleted_instance = str(uuid.uuid4())
    # Same short name the deleted instance had, but another owner.
    owner, fqdn = env.enrolled_host(name='web-%s' % deleted_instance[:8])

    env.nova.send(samples.legacy_delete(deleted_instance,
                                        hostname=short_name(fqdn)),
                  LEGACY, rabbit.NOVA_LEGACY_PUBLISHER)

    listener.wait_for_outcome(deleted_instance, 'nothing-owned')
    assert fqdn in env.host_fqdns()
    env.wait_queue_empty()
