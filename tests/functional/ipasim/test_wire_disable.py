"""The simulator's raw JSON for host_disable and service_disable, against
``ipa-jsonrpc.md`` (sections 4 and 5).
"""

ZONE = 'example.test'
REALM = 'EXAMPLE.TEST'
H1 = 'h1.example.test'
HTTP_H1 = 'HTTP/h1.example.test@EXAMPLE.TEST'
ALREADY_INACTIVE = {'code': 4010, 'name': 'AlreadyInactive',
                    'message': 'This entry is already disabled', 'data': {}}
MASTER_ERROR = {
    'code': 3009, 'name': 'ValidationError',
    'message': "invalid 'hostname': An IPA master host cannot be deleted "
               "or disabled",
    'data': {'name': 'hostname',
             'error': 'An IPA master host cannot be deleted or disabled'}}


def enrolled_host(sim, ipa, fqdn=H1):
    output = ipa.result('host_add', fqdn, force=True, random=True)
    sim.admin.join(fqdn, output['result']['randompassword'])


def host_service(ipa, principal=HTTP_H1):
    ipa.result('service_add', principal, force=True)


# host_disable.

def test_host_disable_removes_keytab_and_last_password_change(sim, ipa):
    enrolled_host(sim, ipa)
    before = ipa.result('host_show', H1, all=True)['result']
    assert before['has_keytab'] is True
    assert 'krblastpwdchange' in before

    output = ipa.result('host_disable', H1)

    assert output == {'result': True, 'value': H1,
                      'summary': 'Disabled host "%s"' % H1}
    after = ipa.result('host_show', H1, all=True)['result']
    assert after['has_keytab'] is False
    assert after['has_password'] is False
    assert 'krblastpwdchange' not in after
    # The principal stays: the entry is like a host added without a
    # password.
    assert after['krbprincipalname'] == ['host/%s@%s' % (H1, REALM)]


def test_host_disable_twice_is_already_inactive(sim, ipa):
    enrolled_host(sim, ipa)
    ipa.result('host_disable', H1)
    assert ipa.error('host_disable', H1) == ALREADY_INACTIVE


def test_host_disable_of_host_without_keytab_is_already_inactive(ipa):
    ipa.result('host_add', H1, force=True, random=True)
    assert ipa.error('host_disable', H1) == ALREADY_INACTIVE
    # Nothing changed: the OTP is still set.
    assert ipa.result('host_show', H1)['result']['has_password'] is True


def test_host_disable_then_new_otp_and_join(sim, ipa):
    enrolled_host(sim, ipa)
    refused = ipa.error('host_mod', H1, random=True)
    assert refused['code'] == 3009

    ipa.result('host_disable', H1)
    otp = ipa.result('host_mod', H1, random=True)['result']['randompassword']
    shown = ipa.result('host_show', H1)['result']
    assert (shown['has_password'], shown['has_keytab']) == (True, False)

    assert sim.admin.join(H1, otp) == {'fqdn': H1, 'enrolled': True}
    shown = ipa.result('host_show', H1)['result']
    assert (shown['has_password'], shown['has_keytab']) == (False, True)


def test_host_disable_disables_the_hosts_services(sim, ipa):
    ipa.result('host_add', H1, force=True)
    host_service(ipa)
    sim.admin.service_keytab(HTTP_H1)
    assert ipa.result('service_show', HTTP_H1)['result']['has_keytab']

    # The host has no keytab, but its service had one: that is work done.
    assert ipa.result('host_disable', H1)['result'] is True
    assert ipa.result('service_show', HTTP_H1)['result']['has_keytab'] \
        is False
    assert ipa.error('host_disable', H1) == ALREADY_INACTIVE


def test_host_disable_leaves_other_hosts_services(sim, ipa):
    enrolled_host(sim, ipa)
    ipa.result('host_add', 'h2.example.test', force=True)
    host_service(ipa, 'HTTP/h2.example.test')
    sim.admin.service_keytab('HTTP/h2.example.test')
    ipa.result('host_disable', H1)
    shown = ipa.result('service_show', 'HTTP/h2.example.test')['result']
    assert shown['has_keytab'] is True


def test_host_disable_of_master_is_refused(sim, ipa):
    sim.admin.add_master('ipa1.example.test')
    assert ipa.error('host_disable', 'ipa1.example.test') == MASTER_ERROR
    assert sim.admin.host('ipa1.example.test')['has_keytab'] is True


def test_host_disable_missing_host_is_not_found(ipa):
    reason = 'nope.example.test: host not found'
    assert ipa.error('host_disable', 'nope.example.test') == {
        'code': 4001, 'name': 'NotFound', 'message': reason,
        'data': {'reason': reason}}


def test_host_disable_takes_no_other_option(ipa):
    enrolled = ipa.error('host_disable', H1, all=True)
    assert enrolled == {'code': 3005, 'name': 'OptionError',
                        'message': 'Unknown option: all',
                        'data': {'option': 'all'}}


def test_host_disable_in_batch(sim, ipa):
    enrolled_host(sim, ipa)
    sim.admin.reset_stats()
    envelope = ipa.call('batch',
                        {'method': 'host_disable', 'params': [[H1], {}]},
                        {'method': 'host_disable', 'params': [[H1], {}]})
    first, second = envelope['result']['results']
    assert first == {'result': True, 'value': H1,
                     'summary': 'Disabled host "%s"' % H1, 'error': None}
    assert (second['error_code'], second['error_name']) == (
        4010, 'AlreadyInactive')
    assert sim.admin.calls('host_disable') == 2


# service_disable.

def test_service_disable_removes_keytab(sim, ipa):
    ipa.result('host_add', H1, force=True)
    host_service(ipa)
    sim.admin.service_keytab(HTTP_H1)
    output = ipa.result('service_disable', 'HTTP/h1.example.test')
    assert output == {'result': True, 'value': HTTP_H1,
                      'summary': 'Disabled service "%s"' % HTTP_H1}
    assert ipa.result('service_show', HTTP_H1)['result']['has_keytab'] \
        is False


def test_service_disable_without_keytab_is_already_inactive(ipa):
    ipa.result('host_add', H1, force=True)
    host_service(ipa)
    assert ipa.error('service_disable', HTTP_H1) == ALREADY_INACTIVE


def test_service_disable_missing_is_not_found(ipa):
    reason = '%s: service not found' % HTTP_H1
    assert ipa.error('service_disable', HTTP_H1) == {
        'code': 4001, 'name': 'NotFound', 'message': reason,
        'data': {'reason': reason}}


def test_service_disable_of_master_service_is_refused(sim, ipa):
    sim.admin.add_master('ipa1.example.test')
    ipa.result('service_add', 'HTTP/ipa1.example.test', force=True)
    sim.admin.service_keytab('HTTP/ipa1.example.test')
    error = ipa.error('service_disable', 'HTTP/ipa1.example.test')
    assert error == {
        'code': 3009, 'name': 'ValidationError',
        'message': "invalid 'principal': This principal is required by "
                   "the IPA master",
        'data': {'name': 'principal',
                 'error': 'This principal is required by the IPA master'}}
