"""Deleting what a deleted instance owns: one round trip for its names."""

import pytest

from novajoin.hosts import cleanup
from novajoin.ipa import errors as ipa_errors
from tests.unit.hosts import fakes

INSTANCE = '7b0d3b43-94a4-4e2a-8a55-3f0e3f2e7f20'


@pytest.fixture
def ipa():
    client = fakes.FakeIPA()
    for fqdn in ('vm.example.test', 'sub-a.example.test',
                 'sub-b.example.test'):
        client.add_existing(fqdn)
    return client


def test_one_host_is_one_host_del(ipa):
    owned = cleanup.OwnedResources(INSTANCE, ['vm.example.test'])
    assert cleanup.delete_owned_resources(ipa, owned) == ['vm.example.test']
    assert ipa.commands() == ['host_del']
    assert 'vm.example.test' not in ipa.hosts


def test_a_host_and_its_subhosts_go_in_one_batch_subhosts_first(ipa):
    owned = cleanup.OwnedResources(
        INSTANCE, ['vm.example.test'],
        ['sub-a.example.test', 'sub-b.example.test'])
    deleted = cleanup.delete_owned_resources(ipa, owned)
    assert deleted == ['sub-a.example.test', 'sub-b.example.test',
                       'vm.example.test']
    assert ipa.commands() == ['batch']
    assert ipa.batched == [('host_del', [name]) for name in deleted]
    assert ipa.hosts == {}


def test_names_already_gone_count_as_deleted_by_someone_else(ipa):
    del ipa.hosts['sub-a.example.test']
    owned = cleanup.OwnedResources(
        INSTANCE, ['vm.example.test'], ['sub-a.example.test'])
    assert cleanup.delete_owned_resources(ipa, owned) == ['vm.example.test']
    del ipa.hosts['sub-b.example.test']
    alone = cleanup.OwnedResources(INSTANCE, ['sub-b.example.test'])
    assert cleanup.delete_owned_resources(ipa, alone) == []


def test_a_failed_delete_is_raised_and_the_others_stand(ipa, monkeypatch):
    real = ipa._batch_host_del

    def refuse_one(fqdn, **options):
        if fqdn == 'sub-a.example.test':
            raise ipa_errors.ACIError('Insufficient access', code=2100)
        return real(fqdn, **options)
    monkeypatch.setattr(ipa, '_batch_host_del', refuse_one)
    owned = cleanup.OwnedResources(
        INSTANCE, ['vm.example.test'],
        ['sub-a.example.test', 'sub-b.example.test'])
    with pytest.raises(ipa_errors.ACIError):
        cleanup.delete_owned_resources(ipa, owned)
    # Not a transaction: the retry of the notification finds what is left.
    assert set(ipa.hosts) == {'sub-a.example.test'}
