"""Output options (``all``, ``raw``, ``rights``, ``no_members``,
``pkey_only``, ``sizelimit``, ``structured``) and FreeIPA's conversion of
option values, on the wire (``ipa-jsonrpc.md`` §2 to §4).
"""

import base64

from cryptography.hazmat.primitives import serialization
from cryptography import x509
import pytest

BASEDN = 'dc=example,dc=test'
H1 = 'h1.example.test'
H2 = 'h2.example.test'
ZONE = 'example.test'
HTTP_H1 = 'HTTP/h1.example.test@EXAMPLE.TEST'


def host_dn(fqdn):
    return 'fqdn=%s,cn=computers,cn=accounts,%s' % (fqdn, BASEDN)


@pytest.fixture(scope='module')
def cert_b64(sim):
    with open(sim.ca_file, 'rb') as f:
        cert = x509.load_pem_x509_certificate(f.read())
    return base64.b64encode(
        cert.public_bytes(serialization.Encoding.DER)).decode()


# raw.

def test_raw_host_show_has_ldap_names_and_no_computed_members(ipa):
    ipa.result('host_add', H1, force=True)
    entry = ipa.result('host_show', H1, raw=True, all=True)['result']
    assert entry['fqdn'] == [H1]
    assert entry['krbPrincipalName'] == ['host/%s@EXAMPLE.TEST' % H1]
    assert entry['managedBy'] == [host_dn(H1)]
    assert 'objectClass' in entry and 'objectclass' not in entry
    assert 'managedby_host' not in entry
    assert not any(key.startswith('ipakrb') for key in entry)
    # requires_pre_auth only: 0x80.
    assert entry['krbTicketFlags'] == ['128']


def test_raw_dns_names_are_plain_strings(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.1'])
    entry = ipa.result('dnsrecord_show', ZONE, 'www', raw=True)['result']
    assert entry['idnsName'] == ['www']
    assert entry['aRecord'] == ['192.0.2.1']


def test_raw_find_entries(ipa):
    ipa.result('host_add', H1, force=True)
    [entry] = ipa.result('host_find', H1, raw=True)['result']
    assert entry['krbCanonicalName'] == ['host/%s@EXAMPLE.TEST' % H1]


# rights.

def test_rights_needs_all(ipa):
    ipa.result('host_add', H1, force=True, description='d')
    assert 'attributelevelrights' not in ipa.result(
        'host_show', H1, rights=True)['result']
    entry = ipa.result('host_show', H1, rights=True, all=True)['result']
    rights = entry['attributelevelrights']
    assert rights['description'] == 'rscwo'
    assert 'has_keytab' not in rights and 'dn' not in rights


# no_members.

def test_no_members_hides_managedby_on_show(ipa):
    ipa.result('host_add', H1, force=True)
    entry = ipa.result('host_show', H1, no_members=True)['result']
    assert 'managedby_host' not in entry
    assert entry['fqdn'] == [H1]


def test_find_shows_members_only_when_asked(ipa):
    ipa.result('host_add', H1, force=True)
    [entry] = ipa.result('host_find', H1)['result']
    assert 'managedby_host' not in entry
    [entry] = ipa.result('host_find', H1, no_members=False)['result']
    assert entry['managedby_host'] == [H1]


# pkey_only and sizelimit.

@pytest.mark.parametrize('command,keys', [
    ('host_find', {'dn', 'fqdn'}),
    ('service_find', {'dn', 'krbcanonicalname'}),
    ('server_find', {'dn', 'cn'}),
])
def test_pkey_only(ipa, command, keys):
    ipa.result('host_add', H1, force=True)
    ipa.result('service_add', HTTP_H1, force=True)
    entries = ipa.result(command, pkey_only=True)['result']
    assert entries and all(set(e) == keys for e in entries)


def test_find_stops_at_100_entries_by_default(ipa):
    methods = [{'method': 'host_add',
                'params': [['h%03d.example.test' % i], {'force': True}]}
               for i in range(101)]
    ipa.result('batch', *methods)
    output = ipa.result('host_find')
    assert (output['count'], output['truncated']) == (100, True)
    [warning] = output['messages']
    assert (warning['code'], warning['name']) == (13017,
                                                  'SearchResultTruncated')
    everything = ipa.result('host_find', sizelimit=0)
    # The 101 hosts and the server's own entry.
    assert (everything['count'], everything['truncated']) == (102, False)
    assert 'messages' not in everything


def test_sizelimit(ipa):
    for fqdn in (H1, H2):
        ipa.result('host_add', fqdn, force=True)
    output = ipa.result('host_find', sizelimit=1)
    assert (output['count'], output['truncated']) == (1, True)
    # H1, H2 and the server's own entry.
    assert ipa.result('host_find', sizelimit='3')['truncated'] is False
    error = ipa.error('host_find', sizelimit=-1)
    assert (error['code'], error['name']) == (3009, 'ValidationError')


def test_dnsrecord_find_has_the_default_limit_too(ipa):
    methods = [{'method': 'dnsrecord_add',
                'params': [[ZONE, 'r%03d' % i], {'arecord': ['192.0.2.1']}]}
               for i in range(101)]
    ipa.result('batch', *methods)
    output = ipa.result('dnsrecord_find', ZONE)
    assert (output['count'], output['truncated']) == (100, True)


# structured and DNS record parts.

def test_structured_records(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.1'],
               mx_part_preference=10, mx_part_exchanger='mail.example.test.')
    entry = ipa.result('dnsrecord_show', ZONE, 'www',
                       structured=True)['result']
    assert 'arecord' not in entry and 'mxrecord' not in entry
    assert entry['dnsrecords'] == [
        {'dnstype': 'A', 'dnsdata': '192.0.2.1',
         'a_part_ip_address': '192.0.2.1'},
        {'dnstype': 'MX', 'dnsdata': '10 mail.example.test.',
         'mx_part_preference': '10',
         'mx_part_exchanger': 'mail.example.test.'}]


def test_record_parts_need_every_required_part(ipa):
    error = ipa.error('dnsrecord_add', ZONE, 'www', mx_part_preference=10)
    assert (error['code'], error['name']) == (3008, 'ConversionError')
    assert 'mx_part_exchanger' in error['message']


def test_ttl_is_kept_and_found(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.1'],
               dnsttl=300)
    assert ipa.result('dnsrecord_show', ZONE, 'www')['result'][
        'dnsttl'] == ['300']
    assert ipa.result('dnsrecord_find', ZONE, dnsttl=300)['count'] == 1


def test_create_reverse_needs_a_reverse_zone(sim, ipa):
    error = ipa.error('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.1'],
                      a_extra_create_reverse=True)
    reason = 'DNS reverse zone for IP address 192.0.2.1 not found'
    assert error == {'code': 4001, 'name': 'NotFound', 'message': reason,
                     'data': {'reason': reason}}
    assert ipa.error('dnsrecord_show', ZONE, 'www')['code'] == 4001

    sim.admin.add_zone('2.0.192.in-addr.arpa')
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.1'],
               a_extra_create_reverse=True)
    ptr = ipa.result('dnsrecord_show', '2.0.192.in-addr.arpa', '1')
    assert ptr['result']['ptrrecord'] == ['www.example.test.']


def test_host_add_ip_address_adds_reverse_unless_no_reverse(sim, ipa):
    sim.admin.add_zone('2.0.192.in-addr.arpa')
    ipa.result('host_add', H1, ip_address='192.0.2.1')
    assert ipa.result('dnsrecord_show', '2.0.192.in-addr.arpa', '1')[
        'result']['ptrrecord'] == [H1 + '.']
    ipa.result('host_add', H2, ip_address='192.0.2.2', no_reverse=True)
    assert ipa.error('dnsrecord_show', '2.0.192.in-addr.arpa',
                     '2')['code'] == 4001


# Conversion rules.

@pytest.mark.parametrize('value', [True, 'TRUE', 'true', 1, '1'])
def test_flag_truths(ipa, value):
    ipa.result('host_add', H1, force=True)
    assert 'ipakrbokasdelegate' in ipa.result('host_show', H1,
                                              all=value)['result']


@pytest.mark.parametrize('value', ['yes', 'True', 2, [True, False]])
def test_flag_refuses_other_values(ipa, value):
    error = ipa.error('host_show', H1, all=value)
    assert (error['code'], error['name']) == (3008, 'ConversionError')
    assert error['data'] == {'name': 'all', 'error': (
        'Only one value is allowed' if isinstance(value, list)
        else 'must be True or False')}


def test_str_takes_numbers(ipa):
    ipa.result('host_add', H1, force=True, description=42)
    assert ipa.result('host_show', H1)['result']['description'] == ['42']


def test_str_refuses_booleans(ipa):
    error = ipa.error('host_add', H1, force=True, description=True)
    assert error['data'] == {'name': 'desc', 'error': 'must be Unicode text'}


def test_int_conversion(ipa):
    ipa.result('host_add', H1, force=True)
    assert ipa.result('host_find', sizelimit=1.0)['count'] == 1
    error = ipa.error('host_find', sizelimit='many')
    assert error['data'] == {'name': 'sizelimit',
                             'error': 'must be an integer'}


def test_enum_values(ipa):
    ipa.result('host_add', H1, force=True)
    error = ipa.error('host_mod', H1, krbprincipalauthind=['sms'])
    assert error == {
        'code': 3009, 'name': 'ValidationError',
        'message': "invalid 'auth_ind': must be one of 'radius', 'otp', "
                   "'pkinit', 'hardened', 'idp', 'passkey'",
        'data': {'name': 'auth_ind', 'error': "must be one of 'radius', "
                 "'otp', 'pkinit', 'hardened', 'idp', 'passkey'"}}
    entry = ipa.result('host_mod', H1, krbprincipalauthind='otp')['result']
    assert entry['krbprincipalauthind'] == ['otp']


def test_certificate_round_trip(ipa, cert_b64):
    ipa.result('host_add', H1, force=True,
               usercertificate=[{'__base64__': cert_b64}])
    entry = ipa.result('host_show', H1)['result']
    assert entry['usercertificate'] == [{'__base64__': cert_b64}]
    # Plain base64 text is a certificate too.
    ipa.result('service_add', HTTP_H1, force=True, usercertificate=cert_b64)
    shown = ipa.result('service_show', HTTP_H1)['result']
    assert shown['usercertificate'] == [{'__base64__': cert_b64}]


def test_certificate_disable_counts_as_work(ipa, cert_b64):
    ipa.result('host_add', H1, force=True, usercertificate=cert_b64)
    assert ipa.result('host_disable', H1)['result'] is True
    assert 'usercertificate' not in ipa.result('host_show', H1)['result']


def test_certificate_errors(ipa):
    error = ipa.error('host_add', H1, force=True, usercertificate='%%%')
    assert (error['code'], error['name']) == (3015, 'Base64DecodeError')
    error = ipa.error('host_add', H1, force=True,
                      usercertificate=base64.b64encode(b'junk').decode())
    assert (error['code'], error['name']) == (4302, 'CertificateFormatError')


# Find filters that name relations.

def test_host_find_managed_by_filters(ipa):
    for fqdn in (H1, H2):
        ipa.result('host_add', fqdn, force=True)
    ipa.result('host_add_managedby', H1, host=[H2])
    managed = ipa.result('host_find', man_by_host=[H2])['result']
    assert [e['fqdn'] for e in managed] == [[H1], [H2]]
    managing = ipa.result('host_find', man_host=[H1])['result']
    assert [e['fqdn'] for e in managing] == [[H1], [H2]]
    # The server's own entry is managed by itself only.
    assert ipa.result('host_find', not_man_by_host=[H2])['count'] == 1
    assert ipa.result('host_find', in_hostgroup=['web'])['count'] == 0
    assert ipa.result('host_find', not_in_hostgroup=['web'])['count'] == 3


def test_dnsrecord_add_by_setattr(ipa):
    entry = ipa.result('dnsrecord_add', ZONE, 'www',
                       setattr=['arecord=192.0.2.1'],
                       addattr=['txtrecord=hello'])['result']
    assert (entry['arecord'], entry['txtrecord']) == (['192.0.2.1'],
                                                      ['hello'])
    error = ipa.error('dnsrecord_add', ZONE, 'www', addattr=['cn=x'])
    assert error['data'] == {'name': 'cn', 'error': 'attribute "cn" not '
                                                    'allowed'}


def test_host_del_updatedns_removes_the_reverse_record(sim, ipa):
    sim.admin.add_zone('2.0.192.in-addr.arpa')
    ipa.result('host_add', H1, ip_address='192.0.2.1')
    ipa.result('host_del', H1, updatedns=True)
    assert ipa.error('dnsrecord_show', '2.0.192.in-addr.arpa',
                     '1')['code'] == 4001
    assert ipa.error('dnsrecord_show', ZONE, 'h1')['code'] == 4001
