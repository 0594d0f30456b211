import pytest

from novajoin.notify import payloads
from tests.fixtures import notifications as samples

INSTANCE = '1c9b8a44-0fd1-4b8e-a8a5-0d6e59f0c1a7'
# The id in neutron's floating IP samples.
FLOATINGIP = '2f245a7b-796b-4f26-9cf9-9e82d248fda7'


def test_versioned_delete_gives_uuid_and_host_name():
    message = samples.versioned_delete(INSTANCE, 'web-1')
    ref = payloads.read_versioned_instance(message['payload'])
    assert ref == payloads.InstanceRef(INSTANCE, 'web-1')


def test_versioned_payload_of_unknown_major_version_is_unsupported():
    payload = samples.versioned_delete(INSTANCE)['payload']
    payload['nova_object.version'] = '2.0'
    with pytest.raises(payloads.UnsupportedPayloadVersion) as exc:
        payloads.read_versioned_instance(payload)
    assert 'InstanceActionPayload version 2.0' in str(exc.value)


def test_instance_update_is_read_at_its_own_major_version():
    payload = samples.versioned_update(INSTANCE)['payload']
    assert payload['nova_object.version'].startswith('2.')
    ref = payloads.read_versioned_instance(payload, supported_major=2)
    assert ref.instance_id == INSTANCE


@pytest.mark.parametrize('mutate, complaint', [
    (lambda p: p.pop('nova_object.version'), 'nova_object.version'),
    (lambda p: p.update({'nova_object.version': 'x.1'}), 'not a version'),
    (lambda p: p.pop('nova_object.data'), 'nova_object.data is NoneType'),
    (lambda p: p['nova_object.data'].pop('uuid'), 'nova_object.data.uuid'),
    (lambda p: p['nova_object.data'].update({'uuid': 42}),
     'nova_object.data.uuid'),
    (lambda p: p['nova_object.data'].update({'host_name': []}),
     'host_name is list'),
])
def test_broken_versioned_payload_says_what_is_wrong(mutate, complaint):
    payload = samples.versioned_delete(INSTANCE)['payload']
    mutate(payload)
    with pytest.raises(payloads.MalformedNotification) as exc:
        payloads.read_versioned_instance(payload)
    assert complaint in str(exc.value)


@pytest.mark.parametrize('payload', [None, 'text', ['list'], 42])
def test_payload_that_is_not_an_object_is_malformed(payload):
    for reader in (payloads.read_versioned_instance,
                   payloads.read_legacy_instance,
                   payloads.read_neutron_floatingip):
        with pytest.raises(payloads.MalformedNotification):
            reader(payload)


def test_legacy_delete_gives_instance_id_and_hostname():
    message = samples.legacy_delete(INSTANCE, 'web-2')
    assert payloads.read_legacy_instance(message['payload']) == (
        payloads.InstanceRef(INSTANCE, 'web-2'))


def test_legacy_delete_without_instance_id_is_malformed():
    payload = samples.legacy_delete(INSTANCE)['payload']
    del payload['instance_id']
    with pytest.raises(payloads.MalformedNotification):
        payloads.read_legacy_instance(payload)


def test_modern_neutron_associate_names_the_instance():
    message = samples.neutron_associate('203.0.113.7', 'port-1', INSTANCE)
    change = payloads.read_neutron_floatingip(message['payload'])
    assert change == payloads.FloatingIPChange(
        '203.0.113.7', True, 'port-1', INSTANCE,
        samples.NEUTRON_SAMPLE_PROJECT, FLOATINGIP)


def test_old_neutron_associate_leaves_instance_to_port_lookup():
    message = samples.load(samples.NEUTRON_ASSOCIATE_OLD)
    change = payloads.read_neutron_floatingip(message['payload'])
    assert change.associated
    assert change.port_id == '289ed46b-274c-444d-9fd4-bddf8acc7d7c'
    assert change.instance_id is None
    assert change.project_id == 'c97027dd880d4c129ae7a4ba7edade05'


def test_neutron_disassociate_has_no_port():
    message = samples.neutron_disassociate('203.0.113.7')
    change = payloads.read_neutron_floatingip(message['payload'])
    assert change == payloads.FloatingIPChange('203.0.113.7', False, None,
                                               None, None, FLOATINGIP)


def test_modern_neutron_delete_names_address_and_instance():
    message = samples.neutron_delete(FLOATINGIP, '203.0.113.7', 'port-1',
                                     INSTANCE)
    assert payloads.read_neutron_floatingip_delete(
        message['payload']) == payloads.FloatingIPDelete(
            FLOATINGIP, '203.0.113.7', INSTANCE)


def test_modern_neutron_delete_of_an_unassociated_floating_ip():
    message = samples.neutron_delete(FLOATINGIP, '203.0.113.7')
    assert payloads.read_neutron_floatingip_delete(
        message['payload']) == payloads.FloatingIPDelete(
            FLOATINGIP, '203.0.113.7', None)


def test_old_neutron_delete_has_the_id_only():
    message = samples.neutron_delete(FLOATINGIP)
    assert payloads.read_neutron_floatingip_delete(
        message['payload']) == payloads.FloatingIPDelete(
            FLOATINGIP, None, None)


@pytest.mark.parametrize('change', [
    lambda p: p.pop('floatingip_id'),
    lambda p: p.update(floatingip_id=5),
    lambda p: p['floatingip'].update(id='another-id'),
    lambda p: p['floatingip'].update(floating_ip_address='nope'),
    lambda p: p.update(floatingip=[]),
])
def test_malformed_neutron_delete(change):
    payload = samples.neutron_delete(FLOATINGIP, '203.0.113.7', 'port-1',
                                     INSTANCE)['payload']
    change(payload)
    with pytest.raises(payloads.MalformedNotification):
        payloads.read_neutron_floatingip_delete(payload)


def test_floating_address_must_be_ipv4():
    message = samples.neutron_disassociate('not-an-ip')
    with pytest.raises(payloads.MalformedNotification) as exc:
        payloads.read_neutron_floatingip(message['payload'])
    assert 'not an IPv4 address' in str(exc.value)


def test_nova_associate_needs_the_instance_but_disassociate_does_not():
    message = samples.nova_floating_ip(True, '192.0.2.125', INSTANCE)
    assert payloads.read_nova_floating_ip(
        message['payload'], associated=True) == payloads.FloatingIPChange(
            '192.0.2.125', True, None, INSTANCE,
            '33a88272e06a49c1a0f653abc374b56b')
    del message['payload']['instance_id']
    with pytest.raises(payloads.MalformedNotification):
        payloads.read_nova_floating_ip(message['payload'], associated=True)
    change = payloads.read_nova_floating_ip(message['payload'],
                                            associated=False)
    assert change.address == '192.0.2.125' and not change.associated


@pytest.mark.parametrize('message', [
    samples.versioned_delete(INSTANCE),
    samples.legacy_delete(INSTANCE),
    samples.neutron_associate('203.0.113.7', 'port-1', INSTANCE),
])
def test_instance_hint_finds_the_instance_in_any_format(message):
    assert payloads.instance_hint(message['payload']) == INSTANCE


def test_instance_hint_of_garbage_is_none():
    assert payloads.instance_hint('garbage') is None
    assert payloads.instance_hint({'nova_object.data': 'x'}) is None


def test_nova_associate_needs_the_project():
    message = samples.nova_floating_ip(True, '192.0.2.125', INSTANCE)
    del message['payload']['project_id']
    with pytest.raises(payloads.MalformedNotification) as exc:
        payloads.read_nova_floating_ip(message['payload'], associated=True)
    assert 'payload.project_id' in str(exc.value)
