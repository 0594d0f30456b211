"""The simulator's raw JSON for host_add, host_mod, host_show, host_find and
host_del, against ``ipa-jsonrpc.md`` (sections 2 to 5).
"""

import pytest

BASEDN = 'dc=example,dc=test'
ZONE = 'example.test'
PRINCIPAL = 'host/%s@EXAMPLE.TEST'
ADD_KEYS = {'dn', 'fqdn', 'krbprincipalname', 'krbcanonicalname',
            'managedby_host', 'has_keytab', 'has_password', 'objectclass',
            'ipauniqueid'}
SHOW_KEYS = {'dn', 'fqdn', 'krbprincipalname', 'krbcanonicalname',
             'managedby_host', 'has_keytab', 'has_password'}
ENROLLED_PASSWORD_ERROR = {
    'code': 3009, 'name': 'ValidationError',
    'message': "invalid 'password': Password cannot be set on enrolled "
               "host.",
    'data': {'name': 'password',
             'error': 'Password cannot be set on enrolled host.'}}


def host_dn(fqdn):
    return 'fqdn=%s,cn=computers,cn=accounts,%s' % (fqdn, BASEDN)


def not_found(fqdn):
    reason = '%s: host not found' % fqdn
    return {'code': 4001, 'name': 'NotFound', 'message': reason,
            'data': {'reason': reason}}


def add_a_record(ipa, name, address):
    ipa.result('dnsrecord_add', ZONE, name, arecord=[address])


def add_host(ipa, fqdn, **options):
    options.setdefault('force', True)
    return ipa.result('host_add', fqdn, **options)


def enrolled_host(sim, ipa, fqdn):
    otp = add_host(ipa, fqdn, random=True)['result']['randompassword']
    sim.admin.join(fqdn, otp)


# host_add.

def test_host_add_result_keys_and_values(ipa):
    add_a_record(ipa, 'h1', '192.0.2.1')
    output = ipa.result('host_add', 'h1.example.test')
    assert output['value'] == 'h1.example.test'
    assert output['summary'] == 'Added host "h1.example.test"'
    entry = output['result']
    assert set(entry) == ADD_KEYS
    assert entry['dn'] == host_dn('h1.example.test')
    assert entry['fqdn'] == ['h1.example.test']
    assert entry['krbprincipalname'] == [PRINCIPAL % 'h1.example.test']
    assert entry['krbcanonicalname'] == [PRINCIPAL % 'h1.example.test']
    assert entry['managedby_host'] == ['h1.example.test']
    assert entry['has_keytab'] is False
    assert entry['has_password'] is False
    assert isinstance(entry['ipauniqueid'], list)
    assert 'ipahost' in entry['objectclass']


def test_host_add_attribute_options_come_back_as_lists(ipa):
    entry = add_host(ipa, 'h1.example.test', description='owner=abc',
                     userclass=['novajoin', 'web'], nsosversion='Fedora 40',
                     nshostlocation='rack 7')['result']
    assert entry['description'] == ['owner=abc']
    assert entry['userclass'] == ['novajoin', 'web']
    assert entry['nsosversion'] == ['Fedora 40']
    assert entry['nshostlocation'] == ['rack 7']
    # Unset attributes are omitted, not null.
    assert 'l' not in entry
    assert 'nshardwareplatform' not in entry


def test_host_add_lowercases_and_strips_trailing_dot(ipa):
    output = add_host(ipa, 'H2.Example.TEST.')
    assert output['value'] == 'h2.example.test'
    assert output['result']['fqdn'] == ['h2.example.test']


def test_host_add_random_returns_otp_and_no_principal(ipa):
    output = add_host(ipa, 'h1.example.test', random=True)
    entry = output['result']
    assert isinstance(entry['randompassword'], str)
    assert entry['randompassword']
    assert entry['has_password'] is True
    assert entry['has_keytab'] is False
    assert 'krbprincipalname' not in entry
    assert 'krbcanonicalname' not in entry
    assert 'userpassword' not in entry


def test_host_add_userpassword_is_stored_never_returned(sim, ipa):
    output = add_host(ipa, 'h1.example.test', userpassword='Otp-1234567')
    entry = output['result']
    assert 'userpassword' not in entry
    assert 'randompassword' not in entry
    assert entry['has_password'] is True
    assert 'krbprincipalname' not in entry
    assert 'Otp-1234567' not in repr(ipa.result('host_show',
                                                'h1.example.test',
                                                all=True))
    status, _ = sim.admin.try_join('h1.example.test', 'wrong-otp')
    assert status == 403
    assert sim.admin.join('h1.example.test', 'Otp-1234567')['enrolled']


def test_host_add_not_fully_qualified_is_validation_error(ipa):
    error = ipa.error('host_add', 'shortname', force=True)
    assert error == {
        'code': 3009, 'name': 'ValidationError',
        'message': "invalid 'hostname': invalid domain-name: not fully "
                   "qualified",
        'data': {'name': 'hostname',
                 'error': 'invalid domain-name: not fully qualified'}}


def test_host_add_unresolvable_without_force_is_dns_not_a_record(ipa):
    error = ipa.error('host_add', 'h3.example.test')
    assert error == {
        'code': 4019, 'name': 'DNSNotARecordError',
        'message': "Host 'h3.example.test' does not have corresponding DNS "
                   "A/AAAA record",
        'data': {'hostname': 'h3.example.test'}}


def test_host_add_existing_is_duplicate_entry(ipa):
    add_host(ipa, 'h1.example.test')
    error = ipa.error('host_add', 'h1.example.test', force=True)
    assert error == {'code': 4002, 'name': 'DuplicateEntry',
                     'message': 'host with name "h1.example.test" already '
                                'exists',
                     'data': {}}


def test_host_add_ip_address_creates_a_record(ipa):
    ipa.result('host_add', 'h4.example.test', ip_address='192.0.2.4')
    found = ipa.result('dnsrecord_find', ZONE, idnsname='h4')
    assert found['count'] == 1
    assert found['result'][0]['arecord'] == ['192.0.2.4']


def test_host_add_ip_address_in_unknown_zone_is_not_found(ipa):
    error = ipa.error('host_add', 'h5.other.test', ip_address='192.0.2.5')
    assert error['code'] == 4001
    assert error['name'] == 'NotFound'
    assert error['message'] == 'DNS zone other.test. not found'


# host_show.

def test_host_show_default_keys(ipa):
    add_host(ipa, 'h1.example.test', description='d1')
    output = ipa.result('host_show', 'h1.example.test')
    assert output['summary'] is None
    assert output['value'] == 'h1.example.test'
    assert set(output['result']) == SHOW_KEYS | {'description'}
    assert output['result']['dn'] == host_dn('h1.example.test')
    assert output['result']['description'] == ['d1']


def test_host_show_all_adds_attributes(ipa):
    add_host(ipa, 'h1.example.test')
    entry = ipa.result('host_show', 'h1.example.test', all=True)['result']
    for key in ('cn', 'objectclass', 'ipauniqueid', 'serverhostname',
                'krbpwdpolicyreference'):
        assert isinstance(entry[key], list), key
    assert entry['cn'] == ['h1.example.test']
    assert entry['serverhostname'] == ['h1']
    for key in ('ipakrbokasdelegate', 'ipakrbrequirespreauth',
                'ipakrboktoauthasdelegate'):
        assert isinstance(entry[key], bool), key
    assert 'krblastpwdchange' not in entry


def test_host_show_missing_is_not_found(ipa):
    assert ipa.error('host_show', 'nope.example.test') == not_found(
        'nope.example.test')


def test_host_show_has_keytab_false_while_password_set(ipa):
    add_host(ipa, 'h1.example.test', random=True)
    entry = ipa.result('host_show', 'h1.example.test')['result']
    assert entry['has_password'] is True
    assert entry['has_keytab'] is False


def test_enrolled_host_state_and_datetime_wrapper(sim, ipa):
    # Section 5: after ipa-join has_password false, has_keytab true,
    # krbprincipalname present, krblastpwdchange a datetime.
    enrolled_host(sim, ipa, 'h1.example.test')
    entry = ipa.result('host_show', 'h1.example.test', all=True)['result']
    assert entry['has_password'] is False
    assert entry['has_keytab'] is True
    assert entry['krbprincipalname'] == [PRINCIPAL % 'h1.example.test']
    assert entry['krbcanonicalname'] == [PRINCIPAL % 'h1.example.test']
    [stamp] = entry['krblastpwdchange']
    assert set(stamp) == {'__datetime__'}
    assert len(stamp['__datetime__']) == 15
    assert stamp['__datetime__'].endswith('Z')


def test_datetime_is_plain_string_without_version(sim, ipa):
    # Section 2: without "version" the answer is at capability 2.51.
    enrolled_host(sim, ipa, 'h1.example.test')
    envelope = ipa.rpc('host_show', ['h1.example.test'], {'all': True},
                       version=None).json()
    [stamp] = envelope['result']['result']['krblastpwdchange']
    assert isinstance(stamp, str)
    assert stamp.endswith('Z')


# host_mod.

def test_host_mod_changes_attributes(ipa):
    add_host(ipa, 'h1.example.test', description='old')
    output = ipa.result('host_mod', 'h1.example.test', description='new',
                        userclass=['c1'])
    assert output['summary'] == 'Modified host "h1.example.test"'
    assert output['value'] == 'h1.example.test'
    entry = output['result']
    assert 'dn' not in entry
    assert entry['description'] == ['new']
    assert entry['userclass'] == ['c1']
    assert entry['fqdn'] == ['h1.example.test']
    shown = ipa.result('host_show', 'h1.example.test')['result']
    assert shown['description'] == ['new']


def test_host_mod_all_includes_dn(ipa):
    add_host(ipa, 'h1.example.test')
    entry = ipa.result('host_mod', 'h1.example.test', nsosversion='x',
                       all=True)['result']
    assert entry['dn'] == host_dn('h1.example.test')


def test_host_mod_missing_is_not_found(ipa):
    error = ipa.error('host_mod', 'nope.example.test', description='x')
    assert error == not_found('nope.example.test')


@pytest.mark.parametrize('options', [{}, {'description': 'same'}])
def test_host_mod_without_change_is_empty_modlist(ipa, options):
    add_host(ipa, 'h1.example.test', description='same')
    error = ipa.error('host_mod', 'h1.example.test', **options)
    assert error == {'code': 4202, 'name': 'EmptyModlist',
                     'message': 'no modifications to be performed',
                     'data': {}}


@pytest.mark.parametrize('options', [
    {'random': True}, {'userpassword': 'Otp-new-123'},
    {'setattr': ['userpassword=Otp-new-123']}])
def test_host_mod_password_on_enrolled_host_is_refused(sim, ipa, options):
    enrolled_host(sim, ipa, 'h1.example.test')
    error = ipa.error('host_mod', 'h1.example.test', **options)
    assert error == ENROLLED_PASSWORD_ERROR
    entry = ipa.result('host_show', 'h1.example.test')['result']
    assert entry['has_password'] is False
    assert entry['has_keytab'] is True


def test_host_mod_random_resets_otp_on_unenrolled_host(sim, ipa):
    first = add_host(ipa, 'h1.example.test',
                     random=True)['result']['randompassword']
    entry = ipa.result('host_mod', 'h1.example.test', random=True)['result']
    second = entry['randompassword']
    assert second != first
    assert entry['has_password'] is True
    status, _ = sim.admin.try_join('h1.example.test', first)
    assert status == 403
    sim.admin.join('h1.example.test', second)


def test_host_mod_password_without_random_is_not_returned(ipa):
    add_host(ipa, 'h1.example.test')
    entry = ipa.result('host_mod', 'h1.example.test',
                       userpassword='Otp-abc-123')['result']
    assert 'randompassword' not in entry
    assert 'userpassword' not in entry
    assert entry['has_password'] is True


# host_find.

def _seed_find_hosts(ipa):
    add_host(ipa, 'b.example.test', description='owner=abc')
    add_host(ipa, 'a.example.test', description='owner=xyz')
    add_host(ipa, 'c.example.test', nshostlocation='lab abc')


def test_host_find_criteria_is_substring_across_attributes(ipa):
    _seed_find_hosts(ipa)
    output = ipa.result('host_find', 'abc')
    assert output['count'] == 2
    assert output['truncated'] is False
    assert output['summary'] == '2 hosts matched'
    assert [e['fqdn'] for e in output['result']] == [
        ['b.example.test'], ['c.example.test']]


def test_host_find_entries_have_dn_but_no_computed_keys(ipa):
    _seed_find_hosts(ipa)
    output = ipa.result('host_find', 'owner=xyz')
    assert output['summary'] == '1 host matched'
    [entry] = output['result']
    assert entry['dn'] == host_dn('a.example.test')
    assert entry['description'] == ['owner=xyz']
    for key in ('has_keytab', 'has_password', 'managedby_host'):
        assert key not in entry


def test_host_find_description_option_matches_exactly(ipa):
    _seed_find_hosts(ipa)
    assert ipa.result('host_find', description='owner')['count'] == 0
    output = ipa.result('host_find', description='owner=abc')
    assert [e['fqdn'] for e in output['result']] == [['b.example.test']]


def test_host_find_sorted_by_fqdn(ipa):
    _seed_find_hosts(ipa)
    output = ipa.result('host_find', '.example.test')
    assert [e['fqdn'][0] for e in output['result']] == [
        'a.example.test', 'b.example.test', 'c.example.test']
    assert output['summary'] == '3 hosts matched'


def test_host_find_no_match_is_not_an_error(ipa):
    output = ipa.result('host_find', 'nothing-like-this')
    assert output == {'result': [], 'count': 0, 'truncated': False,
                      'summary': '0 hosts matched'}


def test_host_find_sizelimit_truncates_with_warning(ipa):
    _seed_find_hosts(ipa)
    output = ipa.result('host_find', sizelimit=2)
    assert output['count'] == 2
    assert output['truncated'] is True
    [message] = output['messages']
    assert (message['type'], message['code'], message['name']) == (
        'warning', 13017, 'SearchResultTruncated')


def test_host_find_pkey_only(ipa):
    _seed_find_hosts(ipa)
    output = ipa.result('host_find', 'owner=abc', pkey_only=True)
    assert output['result'] == [{'dn': host_dn('b.example.test'),
                                 'fqdn': ['b.example.test']}]


# host_del.

def test_host_del_output(ipa):
    add_host(ipa, 'h1.example.test')
    output = ipa.result('host_del', ['h1.example.test'])
    assert output == {'result': {'failed': []},
                      'value': ['h1.example.test'],
                      'summary': 'Deleted host "h1.example.test"'}
    assert ipa.error('host_show', 'h1.example.test')['code'] == 4001


def test_host_del_accepts_a_scalar_fqdn(ipa):
    add_host(ipa, 'h1.example.test')
    output = ipa.result('host_del', 'h1.example.test')
    assert output['value'] == ['h1.example.test']


@pytest.mark.parametrize('args', [
    [['h1.example.test', 'h2.example.test']],
    ['h1.example.test', 'h2.example.test']])
def test_host_del_several_hosts(ipa, args):
    # Section 2: the multivalued last argument takes a list; FreeIPA also
    # collects the remaining positional values into it.
    add_host(ipa, 'h1.example.test')
    add_host(ipa, 'h2.example.test')
    output = ipa.result('host_del', *args)
    assert output['result'] == {'failed': []}
    assert output['value'] == ['h1.example.test', 'h2.example.test']
    assert ipa.result('host_find', '.example.test')['count'] == 0


def test_host_show_takes_one_argument(ipa):
    add_host(ipa, 'h1.example.test')
    error = ipa.error('host_show', 'h1.example.test', 'h2.example.test')
    assert (error['code'], error['name']) == (3004, 'MaxArgumentError')


def test_host_del_updatedns_removes_a_records(ipa):
    add_a_record(ipa, 'h1', '192.0.2.1')
    ipa.result('host_add', 'h1.example.test')
    output = ipa.result('host_del', 'h1.example.test', updatedns=True)
    assert 'messages' not in output
    assert ipa.result('dnsrecord_find', ZONE, idnsname='h1')['count'] == 0


def test_host_del_without_updatedns_keeps_a_records(ipa):
    add_a_record(ipa, 'h1', '192.0.2.1')
    ipa.result('host_add', 'h1.example.test')
    ipa.result('host_del', 'h1.example.test')
    found = ipa.result('dnsrecord_find', ZONE, idnsname='h1')
    assert found['result'][0]['arecord'] == ['192.0.2.1']


def test_host_del_updatedns_without_records_warns(ipa):
    add_host(ipa, 'h1.example.test')
    envelope = ipa.call('host_del', 'h1.example.test', updatedns=True)
    assert envelope['error'] is None
    output = envelope['result']
    assert output['value'] == ['h1.example.test']
    [message] = output['messages']
    assert (message['type'], message['code'], message['name']) == (
        'warning', 13020, 'FailedToRemoveHostDNSRecords')
    assert message['data']['host'] == 'h1.example.test'


def test_host_del_missing_is_not_found(ipa):
    assert ipa.error('host_del', 'nope.example.test') == not_found(
        'nope.example.test')


def test_host_del_continue_reports_failed_keys(ipa):
    add_host(ipa, 'h1.example.test')
    output = ipa.result('host_del', ['nope.example.test', 'h1.example.test'],
                        **{'continue': True})
    assert output['result'] == {'failed': ['nope.example.test']}
    assert output['value'] == ['h1.example.test']


def test_host_del_without_continue_stops_at_first_error(ipa):
    add_host(ipa, 'h1.example.test')
    add_host(ipa, 'h2.example.test')
    error = ipa.error('host_del', ['h1.example.test', 'nope.example.test',
                                   'h2.example.test'])
    assert error == not_found('nope.example.test')
    assert ipa.result('host_show', 'h2.example.test')['value'] == (
        'h2.example.test')


def test_host_del_ipa_master_is_refused(sim, ipa):
    sim.admin.seed_host('ipa.example.test', ipa_master=True)
    error = ipa.error('host_del', 'ipa.example.test')
    assert error['code'] == 3009
    assert error['name'] == 'ValidationError'
    assert error['message'].endswith(
        'An IPA master host cannot be deleted or disabled')
    assert ipa.result('host_show', 'ipa.example.test')['value'] == (
        'ipa.example.test')


def test_host_del_deletes_the_hosts_services(ipa):
    add_a_record(ipa, 'h1', '192.0.2.1')
    ipa.result('host_add', 'h1.example.test')
    ipa.result('service_add', 'HTTP/h1.example.test')
    ipa.result('host_del', 'h1.example.test')
    error = ipa.error('service_show', 'HTTP/h1.example.test')
    assert error['code'] == 4001
