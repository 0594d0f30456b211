import pytest

from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors
from novajoin.notify import handlers
from novajoin.notify import payloads
from tests.fixtures import notifications as samples
from tests.unit.notify import fakes

INSTANCE = '8c1d4ad6-5c0a-4a57-9a3e-4e8a4f2b8f10'
OTHER = 'f3e1c2b4-7777-4a4a-9b9b-123456789abc'
FQDN = 'web-1.example.test'
PROJECT = samples.NEUTRON_SAMPLE_PROJECT
OTHER_PROJECT = '0e7f4a1c9a3b4f6e8d2c1b0a99887766'
NOVA_NETWORK_PROJECT = '33a88272e06a49c1a0f653abc374b56b'


@pytest.fixture
def deps():
    return handlers.Dependencies(fakes.FakeIPA(), fakes.FakeInstances(),
                                 fakes.FakePorts(), fakes.ZONE)


def handle(deps, message):
    return handlers.HANDLERS[message['event_type']](deps, message['payload'])


def boot(deps, instance_id, port_id, project=PROJECT):
    """nova knows the instance in ``project``; its compute port is there."""
    deps.instances.projects[instance_id] = project
    deps.ports.bind(port_id, instance_id, project)


@pytest.mark.parametrize('message', [samples.versioned_delete(INSTANCE),
                                     samples.legacy_delete(INSTANCE)])
def test_delete_removes_owned_host_and_its_records(deps, message):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.ipa.add_record('web-1', '203.0.113.7')
    outcome = handle(deps, message)
    assert outcome == handlers.Outcome(INSTANCE, (FQDN,), 'deleted', False)
    assert deps.ipa.hosts == {}
    assert deps.ipa.records == {}


def test_delete_never_touches_a_host_owned_by_another_instance(deps):
    # Same name, and even the deleted instance's id in the fqdn: only the
    # owner record counts.
    deps.ipa.add_host('%s.example.test' % INSTANCE, OTHER)
    deps.ipa.add_host('web-1.example.test', OTHER)
    outcome = handle(deps, samples.versioned_delete(INSTANCE, 'web-1'))
    assert outcome.result == 'nothing-owned'
    assert sorted(deps.ipa.hosts) == ['%s.example.test' % INSTANCE,
                                      'web-1.example.test']
    assert 'host_del' not in deps.ipa.calls


def test_delete_of_a_host_without_owner_record_deletes_nothing(deps):
    deps.ipa.add_host(FQDN, description='hand-made %s' % INSTANCE)
    assert handle(deps, samples.legacy_delete(INSTANCE)).result == (
        'nothing-owned')
    assert FQDN in deps.ipa.hosts


def test_forged_delete_for_a_living_instance_deletes_nothing(deps, caplog):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.instances.alive.add(INSTANCE)
    outcome = handle(deps, samples.versioned_delete(INSTANCE))
    assert outcome.result == 'kept-instance-alive'
    assert FQDN in deps.ipa.hosts
    assert 'still exists' in caplog.text


def test_repeated_delete_is_harmless(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    handle(deps, samples.versioned_delete(INSTANCE))
    outcome = handle(deps, samples.versioned_delete(INSTANCE))
    assert outcome.result == 'nothing-owned'


def test_host_deleted_between_find_and_delete_is_already_deleted(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    real_host_del = deps.ipa.host_del

    def host_del_after_someone_else(fqdn, updatedns=False):
        real_host_del(fqdn, updatedns)
        return real_host_del(fqdn, updatedns)

    deps.ipa.host_del = host_del_after_someone_else
    outcome = handle(deps, samples.legacy_delete(INSTANCE))
    assert outcome == handlers.Outcome(INSTANCE, (FQDN,), 'already-deleted',
                                       False)


def test_instance_not_enrolled_needs_no_nova_lookup(deps):
    handle(deps, samples.legacy_delete(INSTANCE))
    assert deps.instances.asked == []


def test_ipa_outage_propagates_for_a_retry(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.ipa.down = True
    with pytest.raises(ipa_errors.IPAUnavailable):
        handle(deps, samples.versioned_delete(INSTANCE))


def test_unknown_major_version_is_rejected_before_any_lookup(deps):
    message = samples.versioned_delete(INSTANCE)
    message['payload']['nova_object.version'] = '3.0'
    with pytest.raises(payloads.UnsupportedPayloadVersion):
        handle(deps, message)
    assert deps.ipa.calls == []


def test_neutron_associate_adds_record_under_owned_host(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    boot(deps, INSTANCE, 'p1')
    outcome = handle(deps, samples.neutron_associate('203.0.113.7', 'p1',
                                                     INSTANCE))
    assert outcome.result == 'record-added'
    assert deps.ipa.records == {'web-1': ['203.0.113.7']}


def test_repeated_associate_is_harmless(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    boot(deps, INSTANCE, 'p1')
    message = samples.neutron_associate('203.0.113.7', 'p1', INSTANCE)
    handle(deps, message)
    assert handle(deps, message).result == 'record-added'
    assert deps.ipa.records == {'web-1': ['203.0.113.7']}


def test_associate_without_port_details_asks_neutron_for_the_port(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    boot(deps, INSTANCE, 'p1')
    handle(deps, samples.neutron_associate('203.0.113.7', 'p1'))
    assert deps.ipa.records == {'web-1': ['203.0.113.7']}
    assert deps.ports.asked == ['p1']


def test_associate_to_a_port_neutron_does_not_know_does_nothing(deps):
    outcome = handle(deps, samples.neutron_associate('203.0.113.7', 'p1',
                                                     INSTANCE))
    assert outcome.result == 'port-gone'
    assert deps.ipa.calls == []


def test_associate_to_a_port_without_instance_does_nothing(deps):
    deps.ports.bind('p1', None, PROJECT)
    outcome = handle(deps, samples.neutron_associate('203.0.113.7', 'p1'))
    assert outcome.result == 'port-without-instance'
    assert deps.ipa.calls == []


def _foreign_port(deps):
    # The attacker's own port and floating IP, naming the victim's
    # instance as device: only nova knows whose instance it is.
    deps.instances.projects[INSTANCE] = OTHER_PROJECT
    deps.ports.bind('p1', INSTANCE, PROJECT)


def _router_port(deps):
    boot(deps, INSTANCE, 'p1')
    deps.ports.bind('p1', INSTANCE, PROJECT, device_owner='network:dhcp')


@pytest.mark.parametrize('setup, fip_project, result, warn, reason', [
    (_foreign_port, PROJECT, 'project-mismatch', True,
     'instance_project=%s' % OTHER_PROJECT),
    (lambda deps: boot(deps, INSTANCE, 'p1'), OTHER_PROJECT,
     'project-mismatch', True, 'floating_ip_project=%s' % OTHER_PROJECT),
    (_router_port, PROJECT, 'not-a-compute-port', False, "'network:dhcp'"),
    (lambda deps: boot(deps, OTHER, 'p1'), PROJECT, 'port-rebound', True,
     'now bound to %s' % OTHER),
    (lambda deps: deps.ports.bind('p1', INSTANCE, PROJECT), PROJECT,
     'instance-gone', False, 'nova has no instance'),
])
def test_association_that_is_not_the_instances_adds_no_record(
        deps, setup, fip_project, result, warn, reason):
    deps.ipa.add_host(FQDN, INSTANCE)
    setup(deps)
    outcome = handle(deps, samples.neutron_associate(
        '203.0.113.66', 'p1', INSTANCE, fip_project))
    assert (outcome.result, outcome.warn) == (result, warn)
    assert reason in outcome.reason
    assert outcome.reason.startswith('floating IP 203.0.113.66: ')
    assert deps.ipa.calls == []


def test_associate_without_the_floating_ip_project_is_malformed(deps):
    message = samples.neutron_associate('203.0.113.7', 'p1', INSTANCE)
    del message['payload']['floatingip']['project_id']
    del message['payload']['floatingip']['tenant_id']
    with pytest.raises(payloads.MalformedNotification):
        handle(deps, message)


def test_associate_for_an_instance_not_enrolled_adds_nothing(deps):
    boot(deps, INSTANCE, 'p1')
    outcome = handle(deps, samples.neutron_associate('203.0.113.7', 'p1',
                                                     INSTANCE))
    assert outcome.result == 'not-enrolled'
    assert deps.ipa.records == {}


def test_floating_ip_moved_between_instances_follows_the_move(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.ipa.add_host('web-2.example.test', OTHER)
    boot(deps, INSTANCE, 'p1')
    boot(deps, OTHER, 'p2')
    handle(deps, samples.neutron_associate('203.0.113.7', 'p1', INSTANCE))
    handle(deps, samples.neutron_associate('203.0.113.7', 'p2', OTHER))
    assert deps.ipa.records == {'web-2': ['203.0.113.7']}


def test_disassociate_removes_only_that_address(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.ipa.add_record('web-1', '10.0.0.5')
    deps.ipa.add_record('web-1', '203.0.113.7')
    outcome = handle(deps, samples.neutron_disassociate('203.0.113.7'))
    assert outcome.result == 'record-removed'
    assert outcome.fqdns == (FQDN,)
    assert deps.ipa.records == {'web-1': ['10.0.0.5']}


def test_disassociate_leaves_records_of_hosts_novajoin_did_not_enroll(deps):
    deps.ipa.add_record('gateway', '203.0.113.7')
    outcome = handle(deps, samples.neutron_disassociate('203.0.113.7'))
    assert outcome.result == 'no-record'
    assert deps.ipa.records == {'gateway': ['203.0.113.7']}


def test_repeated_disassociate_is_harmless(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.ipa.add_record('web-1', '203.0.113.7')
    handle(deps, samples.neutron_disassociate('203.0.113.7'))
    assert handle(deps, samples.neutron_disassociate(
        '203.0.113.7')).result == 'no-record'


def test_nova_network_associate_and_disassociate(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.instances.projects[INSTANCE] = NOVA_NETWORK_PROJECT
    handle(deps, samples.nova_floating_ip(True, '192.0.2.125', INSTANCE))
    assert deps.ipa.records == {'web-1': ['192.0.2.125']}
    handle(deps, samples.nova_floating_ip(False, '192.0.2.125', INSTANCE))
    assert deps.ipa.records == {}


def test_nova_network_associate_from_another_project_adds_nothing(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.instances.projects[INSTANCE] = OTHER_PROJECT
    outcome = handle(deps, samples.nova_floating_ip(True, '192.0.2.125',
                                                    INSTANCE))
    assert outcome.result == 'project-mismatch'
    assert deps.ipa.records == {}


def test_host_outside_the_zone_gets_no_record(deps):
    deps.ipa.add_host('web-1.elsewhere.test', INSTANCE)
    boot(deps, INSTANCE, 'p1')
    outcome = handle(deps, samples.neutron_associate('203.0.113.7', 'p1',
                                                     INSTANCE))
    assert outcome.result == 'host-outside-zone'
    assert deps.ipa.records == {}


FIP = '5b1d1a52-7a53-4c3e-9d6c-0f6a0b7e1d11'
OTHER_FIP = '9e0c3c8e-4a43-4f0b-8b3b-5d6d9f3a2a22'


def listed(deps, fqdn):
    record = ownership.owner_of(deps.ipa.hosts[fqdn])
    return record.floating_ips


def associated(deps, address='203.0.113.7', floatingip_id=FIP):
    deps.ipa.add_host(FQDN, INSTANCE)
    boot(deps, INSTANCE, 'p1')
    handle(deps, samples.neutron_associate(address, 'p1', INSTANCE,
                                           floatingip_id=floatingip_id))


def test_associate_lists_the_floating_ip_in_the_owner_record(deps):
    associated(deps)
    assert listed(deps, FQDN) == {'203.0.113.7': FIP}
    handle(deps, samples.neutron_disassociate('203.0.113.7'))
    assert listed(deps, FQDN) == {}


@pytest.mark.parametrize('message', [
    samples.neutron_delete(FIP, '203.0.113.7', 'p1', INSTANCE),
    samples.neutron_delete(FIP, '203.0.113.7'),
    samples.neutron_delete(FIP)])
def test_delete_of_a_floating_ip_removes_its_record(deps, message):
    associated(deps)
    deps.ipa.add_record('web-1', '10.0.0.5')
    outcome = handle(deps, message)
    assert outcome.result == 'record-removed'
    assert outcome.fqdns == (FQDN,)
    assert deps.ipa.records == {'web-1': ['10.0.0.5']}
    assert listed(deps, FQDN) == {}
    assert handle(deps, message).result == 'no-record'


def test_delete_of_a_floating_ip_spares_the_address_s_new_record(deps):
    """The address went to another instance (another floating IP) before
    the old floating IP's delete was handled.
    """
    associated(deps)
    deps.ipa.add_host('web-2.example.test', OTHER)
    boot(deps, OTHER, 'p2', OTHER_PROJECT)
    handle(deps, samples.neutron_associate('203.0.113.7', 'p2', OTHER,
                                           OTHER_PROJECT, OTHER_FIP))
    for message in (samples.neutron_delete(FIP),
                    samples.neutron_delete(FIP, '203.0.113.7', 'p1',
                                           INSTANCE)):
        assert handle(deps, message).result == 'no-record'
    assert deps.ipa.records == {'web-2': ['203.0.113.7']}
    assert listed(deps, 'web-2.example.test') == {'203.0.113.7': OTHER_FIP}


def test_delete_of_a_floating_ip_never_touches_unlisted_records(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.ipa.add_record('web-1', '203.0.113.7')
    deps.ipa.add_record('gateway', '203.0.113.7')
    outcome = handle(deps, samples.neutron_delete(FIP))
    assert outcome.result == 'no-record'
    outcome = handle(deps, samples.neutron_delete(FIP, '203.0.113.7', 'p9',
                                                  OTHER))
    assert outcome.result == 'no-record'
    assert deps.ipa.records == {'web-1': ['203.0.113.7'],
                                'gateway': ['203.0.113.7']}


def test_delete_finds_a_record_added_before_the_list_through_neutron(deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.ipa.add_record('web-1', '203.0.113.7')
    outcome = handle(deps, samples.neutron_delete(FIP, '203.0.113.7', 'p1',
                                                  INSTANCE))
    assert outcome.result == 'record-removed'
    assert deps.ipa.records == {}


def test_delete_of_a_listed_floating_ip_of_another_instance_is_kept(deps):
    """neutron names another instance than the one the id is listed on."""
    associated(deps)
    outcome = handle(deps, samples.neutron_delete(FIP, '203.0.113.7', 'p1',
                                                  OTHER))
    assert outcome.result == 'no-record'
    assert deps.ipa.records == {'web-1': ['203.0.113.7']}


def test_rewritten_owner_record_keeps_the_floating_ips(deps):
    associated(deps)
    record = ownership.owner_of(deps.ipa.hosts[FQDN])
    again = ownership.parse_description(ownership.rewritten(
        record, otp_nonce='n2'))
    assert again.floating_ips == {'203.0.113.7': FIP}
    assert again.otp_nonce == 'n2' and again.instance_id == INSTANCE


@pytest.mark.parametrize('message', [samples.versioned_create(INSTANCE),
                                     samples.legacy_create(INSTANCE),
                                     samples.versioned_update(INSTANCE)])
def test_create_and_update_are_only_observed(deps, message):
    outcome = handle(deps, message)
    assert outcome.observed and outcome.instance_id == INSTANCE
    assert deps.ipa.calls == []


def test_every_handled_event_type_has_a_sample():
    sample_types = {samples.load(name)['event_type'] for name in (
        samples.VERSIONED_DELETE, samples.VERSIONED_CREATE,
        samples.VERSIONED_UPDATE, samples.LEGACY_DELETE,
        samples.LEGACY_CREATE, samples.LEGACY_UPDATE,
        samples.NOVA_FIP_ASSOCIATE,
        samples.NOVA_FIP_DISASSOCIATE, samples.NEUTRON_ASSOCIATE,
        samples.NEUTRON_DELETE, samples.NEUTRON_DELETE_OLD,
        samples.VERSIONED_REBUILD_START, samples.VERSIONED_REBUILD_END,
        samples.LEGACY_REBUILD_START, samples.LEGACY_REBUILD_END)}
    assert sample_types == set(handlers.HANDLERS)
