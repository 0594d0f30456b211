"""Ownership records of the hosts TLS services create."""

import json

import pytest

from novajoin import exception
from novajoin.hosts import cleanup
from novajoin.hosts import host_entry
from novajoin.hosts import ownership
from tests.unit.services import inprocess_ipa

A = '11111111-1111-4111-8111-111111111111'


def test_role_and_project_round_trip():
    created = ownership.utcnow()
    text = ownership.build_description(A, role=ownership.ROLE_SUBHOST,
                                       project_id='p1', created=created)
    assert json.loads(text)['novajoin_metadata'] == {
        'nova_instance_id': A, 'role': 'subhost', 'project_id': 'p1',
        'created': ownership.format_time(created)}
    record = ownership.parse_description(text)
    assert (record.role, record.project_id) == ('subhost', 'p1')


def test_unknown_role_is_not_ours():
    text = json.dumps({'novajoin_metadata': {'nova_instance_id': A,
                                             'role': 'future-thing'}})
    assert ownership.parse_description(text) is None
    with pytest.raises(ValueError):
        ownership.build_description(A, role='future-thing')


@pytest.mark.parametrize('role', ownership.ROLES)
def test_service_hosts_are_never_an_instance_host(role):
    entry = {'description': [ownership.build_description(A, role=role)]}
    assert not ownership.is_owned_by(entry, A)
    assert ownership.is_service_entry_of(entry, A, role)
    with pytest.raises(exception.HostOwnedByOther):
        host_entry.state_for(entry, A, 'web.internalapi.example.test')


def test_owned_resources_split_hosts_and_subhosts_and_skip_service_hosts():
    ipa = inprocess_ipa.InProcessIPA()
    ipa.seed_host('web.example.test', A)
    ipa.seed_host('web.net.example.test', A, role=ownership.ROLE_SUBHOST)
    ipa.seed_host('vip.example.test', A, role=ownership.ROLE_SERVICE_HOST)
    owned = cleanup.find_owned_resources(ipa.client, A)
    assert owned.host_fqdns == ['web.example.test']
    assert owned.subhost_fqdns == ['web.net.example.test']


def test_hosts_naming_the_instance_elsewhere_do_not_hide_its_own():
    # Any tenant may set ipa_host_location (or a host name) to another
    # instance's id; more matches than IPA's default search limit (100)
    # must not hide the owner's entries from delete and updates.
    ipa = inprocess_ipa.InProcessIPA()
    other = '99999999-9999-4999-8999-999999999999'
    for number in range(120):
        fqdn = 'a%03d.example.test' % number
        ipa.seed_host(fqdn, other)
        ipa.directory.hosts[fqdn].attrs['nshostlocation'] = [A]
    ipa.seed_host('web.example.test', A)
    ipa.seed_host('web.net.example.test', A, role=ownership.ROLE_SUBHOST)
    owned = cleanup.find_owned_resources(ipa.client, A)
    assert owned.host_fqdns == ['web.example.test']
    assert owned.subhost_fqdns == ['web.net.example.test']
    assert [cleanup.host_fqdn(e) for e in cleanup.find_owned_hosts(
        ipa.client, A)] == ['web.example.test']
