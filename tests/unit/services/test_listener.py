"""The listener's side of TLS services: update and delete notifications."""

import json

import pytest

from novajoin.api import deploy
from novajoin.notify import handlers
from novajoin.policies import enforcer as policy
from novajoin.services import manager
from novajoin.services import rules as service_rules
from tests.fixtures import notifications as samples
from tests.unit.notify import fakes
from tests.unit.services import inprocess_ipa

A = '11111111-1111-4111-8111-111111111111'
B = '22222222-2222-4222-8222-222222222222'
PROJECT = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0'
VIP = 'vip.example.test'
BOOT_METADATA = {'ipa_enroll': 'true',
                 'compact_service_HTTP': '["internalapi", "storage"]',
                 'managed_service_vip': 'HTTP/' + VIP}


@pytest.fixture
def ipa():
    return inprocess_ipa.InProcessIPA()


@pytest.fixture
def deps(ipa):
    conf = deploy.load_conf([], default_config_files=[])
    services = manager.TLSServices(
        ipa.client, policy.build_enforcer(conf),
        service_rules.Rules('example.test'), allowed_roles=['admin'])
    return handlers.Dependencies(ipa.client, fakes.FakeInstances(),
                                 fakes.FakePorts(), 'example.test', services)


def boot(ipa, deps, instance_id=A, name='web', metadata=BOOT_METADATA):
    fqdn = '%s.example.test' % name
    ipa.seed_host(fqdn, instance_id)
    deps.services.ensure(manager.Instance(instance_id, PROJECT, fqdn),
                         metadata, boot_roles=['admin'])


def handle(deps, message):
    return handlers.HANDLERS[message['event_type']](deps, message['payload'])


@pytest.mark.parametrize('message', [samples.versioned_delete(A),
                                     samples.legacy_delete(A)])
def test_delete_takes_subhosts_and_releases_managed_services(ipa, deps,
                                                             message):
    boot(ipa, deps)
    boot(ipa, deps, B, 'db', {'managed_service_vip': 'HTTP/' + VIP})
    outcome = handle(deps, message)
    assert outcome.result == 'deleted'
    assert sorted(outcome.fqdns) == ['web.example.test',
                                     'web.internalapi.example.test',
                                     'web.storage.example.test']
    assert ipa.host_names() == ['db.example.test', VIP]
    assert ipa.principals() == ['HTTP/' + VIP]
    assert ipa.service_managers('HTTP/' + VIP) == ['db.example.test', VIP]
    handle(deps, samples.versioned_delete(B))
    assert ipa.host_names() == [] and ipa.principals() == []


@pytest.mark.parametrize('make', [samples.versioned_update,
                                  samples.legacy_update])
def test_update_follows_the_metadata(ipa, deps, make):
    boot(ipa, deps)
    deps.instances.alive.add(A)
    metadata = {'ipa_enroll': 'true',
                'compact_service_HTTP': json.dumps(['internalapi']),
                'compact_service_ldap': json.dumps(['ctlplane'])}
    outcome = handle(deps, make(A, metadata, PROJECT))
    assert outcome.result == 'services-updated'
    assert ipa.principals() == ['HTTP/web.internalapi.example.test',
                                'ldap/web.ctlplane.example.test']
    assert ipa.host_names() == ['web.ctlplane.example.test',
                                'web.example.test',
                                'web.internalapi.example.test']


def test_update_cannot_add_managed_services_without_a_listed_project(
        ipa, deps):
    boot(ipa, deps, metadata={'ipa_enroll': 'true'})
    deps.instances.alive.add(A)
    handle(deps, samples.versioned_update(
        A, {'ipa_enroll': 'true', 'managed_service_x': 'HTTP/' + VIP},
        PROJECT))
    assert ipa.principals() == []


def test_update_during_a_task_is_only_observed(ipa, deps):
    boot(ipa, deps)
    trips = ipa.round_trips()
    outcome = handle(deps, samples.versioned_update(A))
    assert outcome.observed
    assert ipa.round_trips() == trips


def test_update_of_an_instance_not_enrolled_changes_nothing(ipa, deps):
    outcome = handle(deps, samples.legacy_update(A, BOOT_METADATA, PROJECT))
    assert outcome.result == 'not-enrolled'
    assert ipa.host_names() == []


def test_malformed_update_metadata_is_a_malformed_notification(deps):
    message = samples.legacy_update(A, {'compact_service_http': 5}, PROJECT)
    with pytest.raises(handlers.payloads.MalformedNotification):
        handle(deps, message)


@pytest.mark.parametrize('make', [samples.versioned_update,
                                  samples.legacy_update])
def test_update_after_nova_reports_the_instance_deleted_creates_nothing(
        ipa, deps, make, caplog):
    boot(ipa, deps, metadata={'ipa_enroll': 'true'})
    outcome = handle(deps, make(A, BOOT_METADATA, PROJECT))
    assert outcome.result == 'instance-gone' and outcome.warn
    assert ipa.host_names() == ['web.example.test']
    assert ipa.principals() == []


def test_update_for_a_host_gone_from_ipa_creates_nothing(ipa, deps, caplog):
    """The host went (a delete handled elsewhere) after the listener found
    it: the services read sees that and nothing is written.
    """
    deps.instances.alive.add(A)
    summary = deps.services.update(
        manager.Instance(A, PROJECT, 'web.example.test'), BOOT_METADATA, [])
    assert summary.skipped == 'host gone' and summary.written == 0
    assert ipa.host_names() == [] and ipa.principals() == []
    assert 'host is gone from IPA' in caplog.text


def test_update_for_a_host_another_instance_owns_creates_nothing(ipa, deps):
    ipa.seed_host('web.example.test', B)
    summary = deps.services.update(
        manager.Instance(A, PROJECT, 'web.example.test'), BOOT_METADATA, [])
    assert summary.skipped == 'host gone'
    assert ipa.host_names() == ['web.example.test']
    assert ipa.principals() == []
