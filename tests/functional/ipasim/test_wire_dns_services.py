"""The simulator's raw JSON for dnsrecord_*, service_* and batch, against
``ipa-jsonrpc.md`` (sections 2 to 4).
"""

import pytest

from tests.functional.ipasim.conftest import API_VERSION

BASEDN = 'dc=example,dc=test'
ZONE = 'example.test'
REALM = 'EXAMPLE.TEST'
HTTP_H1 = 'HTTP/h1.example.test@EXAMPLE.TEST'


def record_dn(name):
    return 'idnsname=%s,idnsname=example.test.,cn=dns,%s' % (name, BASEDN)


def service_dn(principal):
    return 'krbprincipalname=%s,cn=services,cn=accounts,%s' % (principal,
                                                               BASEDN)


def dns_name(name):
    return {'__dns_name__': name}


def resolvable_host(ipa, fqdn, address):
    ipa.result('dnsrecord_add', ZONE, fqdn.split('.')[0], arecord=[address])
    ipa.result('host_add', fqdn)


# dnsrecord_add.

def test_dnsrecord_add_output(ipa):
    output = ipa.result('dnsrecord_add', ZONE, 'www',
                        arecord=['192.0.2.10'])
    assert output['value'] == dns_name('www')
    assert output['summary'] is None
    entry = output['result']
    assert set(entry) == {'dn', 'idnsname', 'arecord', 'objectclass'}
    assert entry['dn'] == record_dn('www')
    assert entry['idnsname'] == [dns_name('www')]
    assert entry['arecord'] == ['192.0.2.10']
    assert 'idnsrecord' in entry['objectclass']


def test_dnsrecord_add_a_part_ip_address(ipa):
    entry = ipa.result('dnsrecord_add', ZONE, 'www',
                       a_part_ip_address='192.0.2.11')['result']
    assert entry['arecord'] == ['192.0.2.11']


def test_dnsrecord_add_merges_values(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    entry = ipa.result('dnsrecord_add', ZONE, 'www',
                       arecord=['192.0.2.11'])['result']
    assert entry['arecord'] == ['192.0.2.10', '192.0.2.11']


def test_dnsrecord_add_identical_value_is_empty_modlist(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    error = ipa.error('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    assert error == {'code': 4202, 'name': 'EmptyModlist',
                     'message': 'no modifications to be performed',
                     'data': {}}


def test_dnsrecord_add_without_record_is_option_error(ipa):
    error = ipa.error('dnsrecord_add', ZONE, 'www')
    assert (error['code'], error['name']) == (3005, 'OptionError')
    assert error['message'] == 'No options to add a specific record provided.'


def test_dnsrecord_add_unknown_zone_is_not_found(ipa):
    error = ipa.error('dnsrecord_add', 'nowhere.test', 'www',
                      arecord=['192.0.2.10'])
    assert error == {'code': 4001, 'name': 'NotFound',
                     'message': 'nowhere.test.: DNS zone not found',
                     'data': {'reason': 'nowhere.test.: DNS zone not found'}}


def test_dnsrecord_zone_with_trailing_dot_and_absolute_name(ipa):
    output = ipa.result('dnsrecord_add', ZONE + '.', 'www.example.test.',
                        arecord=['192.0.2.10'])
    assert output['value'] == dns_name('www')


def test_dnsrecord_add_out_of_zone_name_is_validation_error(ipa):
    error = ipa.error('dnsrecord_add', ZONE, 'www.other.test.',
                      arecord=['192.0.2.10'])
    assert (error['code'], error['name']) == (3009, 'ValidationError')


def test_dns_name_wrappers_are_accepted_in_requests(ipa):
    # Section 2: "The same wrappers are accepted in requests."
    output = ipa.result('dnsrecord_add', dns_name('example.test.'),
                        dns_name('www'), arecord=['192.0.2.10'])
    assert output['value'] == dns_name('www')
    found = ipa.result('dnsrecord_find', ZONE, idnsname=dns_name('www'))
    assert found['count'] == 1


def test_dns_names_are_plain_strings_without_version(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    envelope = ipa.rpc('dnsrecord_find', [ZONE], {'idnsname': 'www'},
                       version=None).json()
    assert envelope['result']['result'][0]['idnsname'] == ['www']


# dnsrecord_del.

def test_dnsrecord_del_one_of_two_values_returns_the_rest(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www',
               arecord=['192.0.2.10', '192.0.2.11'])
    output = ipa.result('dnsrecord_del', ZONE, 'www', arecord=['192.0.2.10'])
    assert output['summary'] is None
    assert output['value'] == [dns_name('www')]
    assert output['result']['arecord'] == ['192.0.2.11']
    assert output['result']['idnsname'] == [dns_name('www')]


def test_dnsrecord_del_last_value_deletes_the_record(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    output = ipa.result('dnsrecord_del', ZONE, 'www', arecord=['192.0.2.10'])
    assert output == {'result': {'failed': []}, 'value': [dns_name('www')],
                      'summary': 'Deleted record "www"'}
    assert ipa.result('dnsrecord_find', ZONE, idnsname='www')['count'] == 0


def test_dnsrecord_del_all(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www',
               arecord=['192.0.2.10', '192.0.2.11'])
    output = ipa.result('dnsrecord_del', ZONE, 'www', del_all=True)
    assert output == {'result': {'failed': []}, 'value': [dns_name('www')],
                      'summary': 'Deleted record "www"'}


def test_dnsrecord_del_absent_value_is_attr_value_not_found(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    error = ipa.error('dnsrecord_del', ZONE, 'www', arecord=['192.0.2.9'])
    assert error['code'] == 4026
    assert error['name'] == 'AttrValueNotFound'
    assert error['message'] == "A record does not contain '192.0.2.9'"


def test_dnsrecord_del_missing_record_is_not_found(ipa):
    error = ipa.error('dnsrecord_del', ZONE, 'nope', del_all=True)
    reason = 'nope: DNS resource record not found'
    assert error == {'code': 4001, 'name': 'NotFound', 'message': reason,
                     'data': {'reason': reason}}


def test_dnsrecord_del_without_values_is_option_error(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    error = ipa.error('dnsrecord_del', ZONE, 'www')
    assert (error['code'], error['name']) == (3005, 'OptionError')


# dnsrecord_find.

def test_dnsrecord_find_list_shape_and_apex(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    output = ipa.result('dnsrecord_find', ZONE)
    assert output['count'] == 2
    assert output['truncated'] is False
    assert len(output['result']) == 2
    names = [e['idnsname'] for e in output['result']]
    assert [dns_name('@')] in names
    assert [dns_name('www')] in names


def test_dnsrecord_find_by_criteria(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    ipa.result('dnsrecord_add', ZONE, 'mail', arecord=['192.0.2.20'])
    output = ipa.result('dnsrecord_find', ZONE, '192.0.2.20')
    assert output['count'] == 1
    assert output['result'][0]['dn'] == record_dn('mail')


# service_*.

def test_service_add_output(ipa):
    resolvable_host(ipa, 'h1.example.test', '192.0.2.1')
    output = ipa.result('service_add', 'HTTP/h1.example.test')
    assert output['value'] == HTTP_H1
    assert output['summary'] == 'Added service "%s"' % HTTP_H1
    entry = output['result']
    assert set(entry) == {'dn', 'krbprincipalname', 'krbcanonicalname',
                          'managedby_host', 'objectclass', 'ipauniqueid',
                          'ipakrboktoauthasdelegate',
                          'krbpwdpolicyreference'}
    assert entry['dn'] == service_dn(HTTP_H1)
    assert entry['krbprincipalname'] == [HTTP_H1]
    assert entry['krbcanonicalname'] == [HTTP_H1]
    assert entry['managedby_host'] == ['h1.example.test']
    assert entry['ipakrboktoauthasdelegate'] is False


def test_service_add_non_service_principal_is_validation_error(ipa):
    error = ipa.error('service_add', 'h1.example.test')
    assert error['code'] == 3009
    assert error['name'] == 'ValidationError'
    assert error['message'] == (
        "invalid 'canonical_principal': Service principal is required")


def test_service_add_foreign_realm_is_realm_mismatch(ipa):
    resolvable_host(ipa, 'h1.example.test', '192.0.2.1')
    error = ipa.error('service_add', 'HTTP/h1.example.test@OTHER.TEST')
    assert error['code'] == 4005
    assert error['name'] == 'RealmMismatch'
    assert error['message'] == ('The realm for the principal does not match '
                                'the realm for this IPA server')


def test_service_add_host_principal_is_host_service_error(ipa):
    resolvable_host(ipa, 'h1.example.test', '192.0.2.1')
    error = ipa.error('service_add', 'host/h1.example.test')
    assert error['code'] == 4003
    assert error['name'] == 'HostService'
    assert error['message'] == ('You must enroll a host in order to create '
                                'a host service')


def test_service_add_missing_host_is_not_found(ipa):
    error = ipa.error('service_add', 'HTTP/h9.example.test')
    assert error['code'] == 4001
    assert error['message'] == ("The host 'h9.example.test' does not exist "
                                "to add a service to.")


def test_service_add_unresolvable_host_is_dns_not_a_record(ipa):
    ipa.result('host_add', 'h1.example.test', force=True)
    error = ipa.error('service_add', 'HTTP/h1.example.test')
    assert error['code'] == 4019
    assert error['name'] == 'DNSNotARecordError'
    assert ipa.result('service_add', 'HTTP/h1.example.test',
                      force=True)['value'] == HTTP_H1


def test_service_add_existing_is_duplicate_entry(ipa):
    resolvable_host(ipa, 'h1.example.test', '192.0.2.1')
    ipa.result('service_add', 'HTTP/h1.example.test')
    error = ipa.error('service_add', 'HTTP/h1.example.test')
    assert (error['code'], error['name']) == (4002, 'DuplicateEntry')


def test_service_show(ipa):
    resolvable_host(ipa, 'h1.example.test', '192.0.2.1')
    ipa.result('service_add', 'HTTP/h1.example.test')
    output = ipa.result('service_show', HTTP_H1)
    assert output['summary'] is None
    assert output['value'] == HTTP_H1
    entry = output['result']
    assert entry['has_keytab'] is False
    assert 'has_password' not in entry
    assert entry['dn'] == service_dn(HTTP_H1)


def test_service_show_missing_is_not_found(ipa):
    error = ipa.error('service_show', HTTP_H1)
    reason = '%s: service not found' % HTTP_H1
    assert error == {'code': 4001, 'name': 'NotFound', 'message': reason,
                     'data': {'reason': reason}}


def test_service_find(ipa):
    resolvable_host(ipa, 'h1.example.test', '192.0.2.1')
    ipa.result('service_add', 'HTTP/h1.example.test')
    ipa.result('service_add', 'ldap/h1.example.test')
    output = ipa.result('service_find', 'HTTP/')
    assert output['count'] == 1
    assert output['truncated'] is False
    assert output['summary'] == '1 service matched'
    assert output['result'][0]['krbcanonicalname'] == [HTTP_H1]
    both = ipa.result('service_find', 'h1.example.test')
    assert both['summary'] == '2 services matched'
    assert ipa.result('service_find', 'nothing')['summary'] == (
        '0 services matched')


def test_service_del(ipa):
    resolvable_host(ipa, 'h1.example.test', '192.0.2.1')
    ipa.result('service_add', 'HTTP/h1.example.test')
    output = ipa.result('service_del', HTTP_H1)
    assert output == {'result': {'failed': []}, 'value': [HTTP_H1],
                      'summary': 'Deleted service "%s"' % HTTP_H1}
    assert ipa.error('service_show', HTTP_H1)['code'] == 4001


def test_service_del_missing_is_not_found(ipa):
    error = ipa.error('service_del', HTTP_H1)
    assert (error['code'], error['name']) == (4001, 'NotFound')


def test_service_add_host_reports_failed_members(ipa):
    resolvable_host(ipa, 'h1.example.test', '192.0.2.1')
    resolvable_host(ipa, 'h2.example.test', '192.0.2.2')
    ipa.result('service_add', 'HTTP/h1.example.test')
    output = ipa.result('service_add_host', HTTP_H1,
                        host=['h2.example.test', 'ghost.example.test'])
    assert output['completed'] == 1
    assert output['failed'] == {
        'managedby': {'host': [['ghost.example.test', 'no such entry']]}}
    assert output['result']['dn'] == service_dn(HTTP_H1)
    assert output['result']['managedby_host'] == ['h1.example.test',
                                                  'h2.example.test']


def test_service_add_host_existing_member(ipa):
    resolvable_host(ipa, 'h1.example.test', '192.0.2.1')
    ipa.result('service_add', 'HTTP/h1.example.test')
    envelope = ipa.call('service_add_host', HTTP_H1,
                        host=['h1.example.test'])
    assert envelope['error'] is None
    assert envelope['result']['completed'] == 0
    assert envelope['result']['failed'] == {'managedby': {'host': [
        ['h1.example.test', 'This entry is already a member']]}}


# batch.

def test_batch_results_in_order_with_per_item_errors(ipa):
    ipa.result('host_add', 'h1.example.test', force=True)
    envelope = ipa.call(
        'batch',
        {'method': 'ping', 'params': [[], {}]},
        {'method': 'host_show', 'params': [['nope.example.test'], {}]},
        {'method': 'host_show', 'params': [['h1.example.test'], {}]})
    assert envelope['error'] is None
    output = envelope['result']
    assert output['count'] == 3
    ping, missing, shown = output['results']
    # Sub-calls inherit "version": no VersionMissing warning.
    assert ping == {'summary': 'IPA server version 4.12.2. API version %s'
                               % API_VERSION, 'error': None}
    reason = 'nope.example.test: host not found'
    assert missing == {'error': reason, 'error_code': 4001,
                       'error_name': 'NotFound',
                       'error_kw': {'reason': reason}}
    assert shown['error'] is None
    assert shown['value'] == 'h1.example.test'
    assert shown['result']['fqdn'] == ['h1.example.test']


def test_batch_methods_as_one_list_argument(ipa):
    # The same request with the methods given as one list value.
    envelope = ipa.call('batch', [
        {'method': 'ping', 'params': [[], {}]},
        {'method': 'host_show', 'params': [['nope.example.test'], {}]}])
    results = envelope['result']['results']
    assert envelope['result']['count'] == 2
    assert results[0]['error'] is None
    assert results[1]['error_code'] == 4001


def test_batch_has_no_rollback(ipa):
    envelope = ipa.call(
        'batch',
        {'method': 'host_add',
         'params': [['h1.example.test'], {'force': True}]},
        {'method': 'host_add',
         'params': [['h1.example.test'], {'force': True}]},
        {'method': 'host_add',
         'params': [['h2.example.test'], {'force': True}]})
    results = envelope['result']['results']
    assert [r['error_code'] if r['error'] else None for r in results] == [
        None, 4002, None]
    assert results[1]['error'] == (
        'host with name "h1.example.test" already exists')
    found = ipa.result('host_find', '.example.test')
    assert found['count'] == 2


@pytest.mark.parametrize('item,code,name,message', [
    ({'params': [[], {}]}, 3007, 'RequirementError', "'method' is required"),
    ({'method': 'no_such_command', 'params': [[], {}]}, 905, 'CommandError',
     "unknown command 'no_such_command'"),
    ({'method': 'ping', 'params': 'nonsense'}, 3008, 'ConversionError',
     "invalid 'params': must contain a tuple (list, dict)"),
])
def test_batch_malformed_items(ipa, item, code, name, message):
    envelope = ipa.call('batch', item)
    assert envelope['error'] is None
    [result] = envelope['result']['results']
    assert result['error'] == message
    assert result['error_code'] == code
    assert result['error_name'] == name


def test_batch_keeponly_filters_result_keys(ipa):
    ipa.result('host_add', 'h1.example.test', force=True,
               description='d1')
    envelope = ipa.call(
        'batch',
        {'method': 'host_show', 'params': [['h1.example.test'], {}]},
        keeponly=['fqdn', 'description'])
    [shown] = envelope['result']['results']
    assert shown['result'] == {'fqdn': ['h1.example.test'],
                               'description': ['d1']}
