"""The simulator's raw JSON for the managedby member commands
(``host_add_managedby``, ``host_remove_managedby``, ``service_add_host``,
``service_remove_host``) and service_mod, against ``ipa-jsonrpc.md`` §4.
"""

import pytest

BASEDN = 'dc=example,dc=test'
H1 = 'h1.example.test'
H2 = 'h2.example.test'
H3 = 'h3.example.test'
HTTP_H1 = 'HTTP/h1.example.test@EXAMPLE.TEST'
NOT_MEMBER = 'This entry is not a member'
ALREADY_MEMBER = 'This entry is already a member'


def host_dn(fqdn):
    return 'fqdn=%s,cn=computers,cn=accounts,%s' % (fqdn, BASEDN)


@pytest.fixture
def hosts(ipa):
    for fqdn in (H1, H2, H3):
        ipa.result('host_add', fqdn, force=True)
    return ipa


def failed(*pairs):
    return {'managedby': {'host': [list(p) for p in pairs]}}


# host_add_managedby / host_remove_managedby.

def test_host_manages_itself(hosts):
    assert hosts.result('host_show', H1)['result']['managedby_host'] == [H1]


def test_host_add_managedby(sim, hosts):
    output = hosts.result('host_add_managedby', H1, host=[H2, H3])
    assert output['completed'] == 2
    assert output['failed'] == failed()
    entry = output['result']
    assert entry['dn'] == host_dn(H1)
    assert entry['fqdn'] == [H1]
    assert entry['managedby_host'] == [H1, H2, H3]
    assert 'has_keytab' not in entry and 'has_password' not in entry
    assert set(output) == {'completed', 'failed', 'result'}
    assert hosts.result('host_show', H1)['result']['managedby_host'] == [
        H1, H2, H3]
    assert sim.admin.host(H1)['managedby_host'] == [H1, H2, H3]
    # The managed host shows who it manages with all.
    assert hosts.result('host_show', H2, all=True)['result'][
        'managing_host'] == [H1, H2]


def test_host_add_managedby_per_member_failures(hosts):
    envelope = hosts.call('host_add_managedby', H1,
                          host=[H1, 'ghost.example.test', H2])
    assert envelope['error'] is None
    output = envelope['result']
    assert output['completed'] == 1
    assert output['failed'] == failed([H1, ALREADY_MEMBER],
                                      ['ghost.example.test', 'no such entry'])


def test_host_add_managedby_accepts_a_scalar_host(hosts):
    output = hosts.result('host_add_managedby', H1, host=H2)
    assert output['completed'] == 1


def test_host_add_managedby_without_hosts_completes_nothing(hosts):
    output = hosts.result('host_add_managedby', H1)
    assert (output['completed'], output['failed']) == (0, failed())


def test_host_add_managedby_missing_host_is_not_found(ipa):
    error = ipa.error('host_add_managedby', 'nope.example.test', host=[H1])
    assert (error['code'], error['name']) == (4001, 'NotFound')
    assert error['message'] == 'nope.example.test: host not found'


def test_host_remove_managedby(hosts):
    hosts.result('host_add_managedby', H1, host=[H2])
    output = hosts.result('host_remove_managedby', H1,
                          host=[H2, H3, 'ghost.example.test'])
    assert output['completed'] == 1
    assert output['failed'] == failed([H3, NOT_MEMBER],
                                      ['ghost.example.test', NOT_MEMBER])
    assert output['result']['managedby_host'] == [H1]


def test_host_remove_managedby_of_itself(hosts):
    # FreeIPA does not protect the self-reference; the entry then has no
    # managedby at all.
    output = hosts.result('host_remove_managedby', H1, host=[H1])
    assert output['completed'] == 1
    assert 'managedby_host' not in output['result']
    assert 'managedby_host' not in hosts.result('host_show',
                                                H1)['result']
    again = hosts.result('host_add_managedby', H1, host=[H1])
    assert again['result']['managedby_host'] == [H1]


def test_deleted_host_leaves_managedby(hosts):
    hosts.result('host_add_managedby', H1, host=[H2])
    hosts.result('service_add', 'HTTP/h1.example.test', force=True)
    hosts.result('service_add_host', HTTP_H1, host=[H2])
    hosts.result('host_del', H2)
    assert hosts.result('host_show', H1)['result']['managedby_host'] == [H1]
    assert hosts.result('service_show', HTTP_H1)['result'][
        'managedby_host'] == [H1]


def test_member_commands_in_batch_are_counted(sim, hosts):
    sim.admin.reset_stats()
    envelope = hosts.call(
        'batch',
        {'method': 'host_add_managedby', 'params': [[H1], {'host': [H2]}]},
        {'method': 'host_remove_managedby',
         'params': [[H1], {'host': [H3]}]})
    added, removed = envelope['result']['results']
    assert added['error'] is None and added['completed'] == 1
    assert removed['error'] is None
    assert removed['failed'] == failed([H3, NOT_MEMBER])
    assert sim.admin.calls('host_add_managedby') == 1
    assert sim.admin.calls('host_remove_managedby') == 1


# service_remove_host.

def test_service_remove_host(hosts):
    hosts.result('service_add', 'HTTP/h1.example.test', force=True)
    hosts.result('service_add_host', HTTP_H1, host=[H2])
    output = hosts.result('service_remove_host', HTTP_H1,
                          host=[H2, H3])
    assert output['completed'] == 1
    assert output['failed'] == failed([H3, NOT_MEMBER])
    assert output['result']['managedby_host'] == [H1]
    assert output['result']['dn'].startswith(
        'krbprincipalname=%s,cn=services' % HTTP_H1)


def test_service_remove_host_missing_service_is_not_found(ipa):
    error = ipa.error('service_remove_host', HTTP_H1, host=[H1])
    assert error['code'] == 4001
    assert error['message'] == '%s: service not found' % HTTP_H1


# service_mod.

def test_service_mod_flags_and_pac_type(hosts):
    hosts.result('service_add', 'HTTP/h1.example.test', force=True)
    output = hosts.result('service_mod', HTTP_H1, ipakrbokasdelegate=True,
                          ipakrbauthzdata=['MS-PAC'])
    assert output['value'] == HTTP_H1
    assert output['summary'] == 'Modified service "%s"' % HTTP_H1
    assert 'dn' not in output['result']
    assert output['result']['ipakrbauthzdata'] == ['MS-PAC']
    shown = hosts.result('service_show', HTTP_H1, all=True)['result']
    assert shown['ipakrbokasdelegate'] is True
    assert shown['ipakrbauthzdata'] == ['MS-PAC']


def test_service_mod_without_change_is_empty_modlist(hosts):
    hosts.result('service_add', 'HTTP/h1.example.test', force=True)
    assert hosts.error('service_mod', HTTP_H1) == {
        'code': 4202, 'name': 'EmptyModlist',
        'message': 'no modifications to be performed', 'data': {}}
    assert hosts.error('service_mod', HTTP_H1,
                       ipakrbokasdelegate=False)['code'] == 4202


def test_service_mod_aliases_must_keep_the_canonical_name(hosts):
    hosts.result('service_add', 'HTTP/h1.example.test', force=True)
    error = hosts.error('service_mod', HTTP_H1,
                        krbprincipalname=['HTTP/h2.example.test'])
    assert error['code'] == 3009
    assert error['data']['name'] == 'krbprincipalname'
    output = hosts.result('service_mod', HTTP_H1, krbprincipalname=[
        HTTP_H1, 'HTTP/www.example.test'])
    assert output['result']['krbprincipalname'] == [
        HTTP_H1, 'HTTP/www.example.test@EXAMPLE.TEST']


def test_service_mod_setattr_and_delattr(hosts):
    hosts.result('service_add', 'HTTP/h1.example.test', force=True)
    hosts.result('service_mod', HTTP_H1, setattr=['krbprincipalauthind=otp'])
    output = hosts.result('service_mod', HTTP_H1,
                          delattr=['krbprincipalauthind=otp'])
    assert 'krbprincipalauthind' not in output['result']
    error = hosts.error('service_mod', HTTP_H1,
                        delattr=['krbprincipalauthind=otp'])
    assert (error['code'], error['name']) == (4026, 'AttrValueNotFound')
    error = hosts.error('service_mod', HTTP_H1, setattr=['managedby=x'])
    assert error['code'] == 3009


def test_service_mod_missing_is_not_found(ipa):
    error = ipa.error('service_mod', HTTP_H1, ipakrbokasdelegate=True)
    assert (error['code'], error['name']) == (4001, 'NotFound')
