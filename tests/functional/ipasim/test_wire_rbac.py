"""Permissions, privileges and roles on the wire, as FreeIPA answers them."""

import pytest


def test_permission_add_show_and_duplicate(ipa):
    out = ipa.result('permission_add', 'Modify host password',
                     ipapermright=['write'], type='host',
                     attrs=['userpassword'])
    assert out['value'] == 'Modify host password'
    assert out['summary'] == 'Added permission "Modify host password"'
    assert out['result']['attrs'] == ['userpassword']
    assert out['result']['ipapermright'] == ['write']
    assert out['result']['dn'].startswith(
        'cn=Modify host password,cn=permissions,cn=pbac,')

    error = ipa.error('permission_add', 'Modify host password',
                      ipapermright=['write'], type='host')
    assert (error['code'], error['name']) == (4002, 'DuplicateEntry')
    assert error['message'] == (
        'permission with name "Modify host password" already exists')


@pytest.mark.parametrize('kind', ['permission', 'privilege', 'role'])
def test_show_missing_entry_is_not_found(ipa, kind):
    error = ipa.error('%s_show' % kind, 'Nope')
    assert (error['code'], error['name']) == (4001, 'NotFound')
    assert error['message'] == 'Nope: %s not found' % kind


def test_system_permissions_exist_from_the_start(ipa):
    found = ipa.result('permission_find', 'System: Add Hosts')
    assert [e['cn'] for e in found['result']] == [['System: Add Hosts']]
    assert found['summary'] == '1 permission matched'


def test_privilege_add_permission_reports_members_it_could_not_add(ipa):
    ipa.result('privilege_add', 'Nova Host Management',
               description='Nova Host Management')
    out = ipa.result('privilege_add_permission', 'Nova Host Management',
                     permission=['System: Add Hosts', 'No such permission'])
    assert out['completed'] == 1
    assert out['failed'] == {'member': {'permission': [
        ['No such permission', 'permission not found']]}}
    assert out['result']['memberof_permission'] == ['System: Add Hosts']

    again = ipa.result('privilege_add_permission', 'Nova Host Management',
                       permission=['System: Add Hosts'])
    assert again['completed'] == 0
    assert again['failed']['member']['permission'] == [
        ['System: Add Hosts', 'This entry is already a member']]
    shown = ipa.result('permission_show', 'System: Add Hosts')
    assert shown['result']['member_privilege'] == ['Nova Host Management']


def test_role_gets_privilege_and_service_member(ipa, sim):
    sim.admin.seed_host('controller.%s' % sim.domain)
    principal = 'nova/controller.%s@%s' % (sim.domain, sim.realm)
    ipa.result('service_add', principal, force=True)
    ipa.result('privilege_add', 'Nova Host Management')
    ipa.result('role_add', 'Nova Host Manager')
    added = ipa.result('role_add_privilege', 'Nova Host Manager',
                       privilege=['Nova Host Management'])
    assert added['completed'] == 1
    member = ipa.result('role_add_member', 'Nova Host Manager',
                        service=[principal, 'nova/nope.%s' % sim.domain])
    assert member['completed'] == 1
    assert member['failed']['member']['service'] == [
        ['nova/nope.%s' % sim.domain, 'no such entry']]
    assert set(member['failed']['member']) >= {
        'user', 'group', 'host', 'hostgroup', 'service'}
    role = ipa.result('role_show', 'Nova Host Manager')['result']
    assert role['member_service'] == [principal]
    assert role['memberof_privilege'] == ['Nova Host Management']
    again = ipa.result('role_add_member', 'Nova Host Manager',
                       service=[principal])
    assert again['completed'] == 0
    assert again['failed']['member']['service'] == [
        [principal, 'This entry is already a member']]
