"""Names never handed to a tenant: refused before any OTP is answered.

Names known in the process are refused before any IPA call; the checks
that need IPA travel in the batch that adds the host, and an entry added
for a name they refuse is deleted again (``host_del`` without
``updatedns``) before the refusal.
"""

import pytest

from novajoin import exception
from novajoin.hosts import ownership
from novajoin.hosts import reserved_names
from novajoin.ipa import errors as ipa_errors
from tests.unit.hosts import conftest
from tests.unit.hosts.conftest import make_request


def guarded(make_enroller, patterns=(), check_dns_records=True, clock=None,
            **kwargs):
    names = reserved_names.ReservedNames(
        patterns, ['example.test', 'cloud.test'],
        check_dns_records=check_dns_records, servers_ttl=600,
        clock=clock or (lambda: 0.0), **kwargs)
    return make_enroller(names=names)


def added_and_undone(ipa, fqdn):
    """The batch added ``fqdn`` and it was deleted again, DNS untouched."""
    assert [(call[0], call[1]) for call in ipa.writes()] == [
        ('batch:host_add', fqdn), ('host_del', fqdn)]
    assert 'updatedns' not in ipa.writes()[1][3]
    assert fqdn not in ipa.hosts


def refused(enroll, enroller, hostname):
    with pytest.raises(exception.NameReserved) as caught:
        enroll(make_request(hostname=hostname), enroller=enroller)
    assert caught.value.decision == 'refused'
    return caught.value


@pytest.mark.parametrize('hostname', ['localhost', 'LocalHost', 'ipa-ca'])
def test_fixed_names_are_refused_without_any_ipa_call(make_enroller, enroll,
                                                      ipa, hostname):
    error = refused(enroll, guarded(make_enroller), hostname)
    assert error.fqdn == hostname.lower() + '.example.test'
    assert ipa.calls == []


@pytest.mark.parametrize('hostname, pattern', [
    ('ipa', 'ipa'), ('ipa2', 'ipa[0-9]*'), ('NS1', 'ns[0-9]*'),
    ('kerberos', 'kerberos'), ('web1', 'web1.example.test'),
])
def test_configured_patterns_are_refused_without_any_ipa_call(
        make_enroller, enroll, ipa, hostname, pattern):
    enroller = guarded(make_enroller, ['ipa', 'ipa[0-9]*', 'ns[0-9]*',
                                       'kerberos', 'web1.example.test'])
    error = refused(enroll, enroller, hostname)
    assert repr(pattern) in error.message
    assert ipa.calls == []


@pytest.mark.parametrize('hostname', ['ipam', 'nsx', 'web2', 'myipa'])
def test_names_outside_the_patterns_are_enrolled(make_enroller, enroll,
                                                 hostname):
    enroller = guarded(make_enroller, ['ipa', 'ns[0-9]*', 'web1'])
    result = enroll(make_request(hostname=hostname), enroller=enroller)
    assert result.decision == 'created'


def test_patterns_match_below_the_domain_with_project_subdomains(
        make_enroller, enroll, ipa):
    names = reserved_names.ReservedNames(['www'], ['example.test'])
    enroller = make_enroller(names=names, project_subdomain=True)
    # www.web-team.example.test is the project's, not the domain's www.
    result = enroll(make_request(hostname='www'), enroller=enroller)
    assert result.body['hostname'] == 'www.web-team.example.test'


def test_ipa_server_is_refused_and_what_the_batch_added_is_undone(
        make_enroller, enroll, ipa):
    ipa.servers = ['ipa.example.test', 'replica2.example.test']
    error = refused(enroll, guarded(make_enroller), 'replica2')
    assert 'IPA server' in error.message
    added_and_undone(ipa, 'replica2.example.test')


def test_configured_server_is_refused_without_any_ipa_call(make_enroller,
                                                           enroll, ipa):
    enroller = guarded(make_enroller,
                       configured_servers=['idm1.example.test'])
    refused(enroll, enroller, 'idm1')
    assert ipa.calls == []


def test_server_list_is_read_once_per_ttl(make_enroller, enroll, ipa, clock):
    enroller = guarded(make_enroller, clock=clock)
    for number in range(3):
        enroll(make_request(hostname='vm%d' % number,
                            instance_id='instance-%d' % number),
               enroller=enroller)
    assert ipa.batched_commands().count('server_find') == 1
    # Known servers are refused from memory, without a call.
    del ipa.calls[:]
    refused(enroll, enroller, 'ipa')
    assert ipa.calls == []
    clock.advance(601)
    enroll(make_request(hostname='vm9', instance_id='instance-9'),
           enroller=enroller)
    assert ipa.batched_commands().count('server_find') == 2


def test_failed_server_refresh_keeps_the_known_list(make_enroller, enroll,
                                                    ipa, clock, caplog):
    enroller = guarded(make_enroller, clock=clock)
    enroll(make_request(hostname='vm1', instance_id='i-1'),
           enroller=enroller)
    clock.advance(601)
    ipa._batch_server_find = _raise(ipa_errors.ACIError('Insufficient '
                                                        'access', code=2100))
    refused(enroll, enroller, 'ipa')
    result = enroll(make_request(hostname='vm2', instance_id='i-2'),
                    enroller=enroller)
    assert result.decision == 'created'
    assert 'keeping the 1 known' in caplog.text


def test_server_list_never_read_refuses_new_hosts(make_enroller, enroll,
                                                  ipa):
    ipa._batch_server_find = _raise(ipa_errors.ACIError('Insufficient '
                                                        'access', code=2100))
    with pytest.raises(exception.EnrollmentUnavailable):
        enroll(enroller=guarded(make_enroller))
    added_and_undone(ipa, 'web1.example.test')


@pytest.mark.parametrize('zone, name, hostname', [
    ('example.test', 'www', 'www'),
    ('example.test', 'mail', 'mail'),
])
def test_name_with_foreign_dns_records_is_refused(make_enroller, enroll, ipa,
                                                  zone, name, hostname):
    ipa.dns_records[(zone, name)] = {'arecord': ['192.0.2.80']}
    error = refused(enroll, guarded(make_enroller), hostname)
    assert 'DNS records' in error.message
    added_and_undone(ipa, hostname + '.example.test')
    assert ipa.dns_records[(zone, name)] == {'arecord': ['192.0.2.80']}


def test_dns_records_in_a_project_subzone_are_found(make_enroller, enroll,
                                                    ipa):
    ipa.zones.add('web-team.example.test')
    ipa.dns_records[('web-team.example.test', 'www')] = {
        'arecord': ['192.0.2.80']}
    names = reserved_names.ReservedNames((), ['example.test'])
    enroller = make_enroller(names=names, project_subdomain=True)
    with pytest.raises(exception.NameReserved):
        enroll(make_request(hostname='www'), enroller=enroller)
    assert ('dnsrecord_show', ['example.test.', 'www.web-team']) in (
        ipa.batched)
    added_and_undone(ipa, 'www.web-team.example.test')


def test_name_that_is_a_dns_zone_is_refused(make_enroller, enroll, ipa):
    ipa.zones.add('lab.example.test')
    error = refused(enroll, guarded(make_enroller), 'lab')
    assert 'DNS zone' in error.message


def test_dns_records_of_an_existing_owned_host_are_its_own(make_enroller,
                                                           enroll, ipa):
    enroller = guarded(make_enroller)
    first = enroll(enroller=enroller)
    # The listener added a floating IP record under the host's name.
    ipa.dns_records[('example.test', 'web1')] = {'arecord': ['203.0.113.5']}
    assert enroll(enroller=enroller).body == first.body


def test_unreadable_dns_refuses_with_503_and_undoes_the_add(make_enroller,
                                                            enroll, ipa):
    ipa._batch_dnsrecord_show = _raise(ipa_errors.ACIError(
        'Insufficient access', code=2100))
    with pytest.raises(exception.EnrollmentUnavailable):
        enroll(enroller=guarded(make_enroller))
    added_and_undone(ipa, 'web1.example.test')


def test_failed_undo_is_unavailable_and_answers_no_otp(make_enroller,
                                                       enroll, ipa, caplog):
    ipa.dns_records[('example.test', 'www')] = {'arecord': ['192.0.2.80']}
    ipa.host_del = _raise(ipa_errors.IPAUnavailable('no server answered'))
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        enroll(make_request(hostname='www'), enroller=guarded(make_enroller))
    assert 'ipaotp' not in str(caught.value.__dict__)
    assert caught.value.ipa_calls == 2
    assert 'ipa host-del www.example.test' in caplog.text
    assert ipa.hosts['www.example.test']['userpassword'] not in caplog.text


def test_without_dns_check_the_batch_carries_no_dns_read(
        make_enroller, enroll, ipa):
    enroller = guarded(make_enroller, check_dns_records=False)
    ipa.dns_records[('example.test', 'www')] = {'arecord': ['192.0.2.80']}
    enroll(make_request(hostname='www'), enroller=enroller)
    enroll(make_request(hostname='vm2', instance_id=conftest.OTHER_INSTANCE),
           enroller=enroller)
    assert ipa.batched_commands() == ['server_find', 'host_show',
                                      'host_find', 'host_add', 'host_show',
                                      'host_find', 'host_add']
    assert ipa.commands() == ['batch', 'batch']


def test_zones_and_names_from_the_domain_down():
    assert reserved_names._zones_and_names(
        'web1.proj.example.test', 'example.test') == [
            ('example.test.', 'web1.proj'), ('proj.example.test.', 'web1')]


def _raise(error):
    def fail(*args, **kwargs):
        raise error
    return fail


def test_a_name_freed_while_the_batch_ran_is_checked_as_new(make_enroller,
                                                            enroll, ipa):
    # The entry the batch showed is deleted before its host_add runs: the
    # host added is new, so the DNS records on the name count.
    ipa.dns_records[('example.test', 'www')] = {'arecord': ['192.0.2.80']}
    ipa.add_existing('www.example.test', description=ownership
                     .build_description(conftest.OTHER_INSTANCE, 'n'),
                     userpassword='theirs')

    def delete_before_add(command, fqdn):
        if command == 'host_add':
            ipa.hosts.pop(fqdn, None)
    ipa.before_call = delete_before_add
    error = refused(enroll, guarded(make_enroller), 'www')
    assert 'DNS records' in error.message
    added_and_undone(ipa, 'www.example.test')
