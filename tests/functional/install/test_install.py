"""novajoin-install against the IPA simulator: the IPA objects of the admin
guide's "Permissions in IPA", the keytab, the OTP key, join.conf and nova.conf;
idempotent, and --dry-run changes nothing."""

import base64
import configparser
import os
import re
import stat

import pytest

from novajoin.install import ipa_rbac
from novajoin.ipa import errors as ipa_errors
from tests.functional.install.conftest import CONTROLLER

PRINCIPAL = 'nova/%s@EXAMPLE.TEST' % CONTROLLER

NOVA_CONF = """\
[DEFAULT]
# Operator's comment, kept as is.
debug = false
transport_url = rabbit://nova:not-shown@rabbit.example.test:5672/

[api]
# Another comment.
vendordata_providers = StaticJSON
vendordata_jsonfile_path = /etc/nova/other.json
vendordata_dynamic_targets = other@https://other.example.test/v1

[keystone_authtoken]
auth_type = password
auth_url = https://keystone.example.test/v3
username = nova
password = nova-service-password
project_name = service
user_domain_name = Default
project_domain_name = Default

[oslo_messaging_notifications]
driver = noop
"""


def _fake_getkeytab(directory):
    """An ipa-getkeytab that writes a keytab file and logs its arguments."""
    os.makedirs(directory, exist_ok=True)
    script = os.path.join(directory, 'ipa-getkeytab')
    with open(script, 'w') as f:
        f.write('#!/bin/sh\n'
                'echo "$@" >> "%s/calls"\n'
                'while [ $# -gt 0 ]; do\n'
                '  if [ "$1" = -k ]; then printf keytab > "$2"; fi\n'
                '  shift\n'
                'done\n' % directory)
    os.chmod(script, 0o755)
    return directory


def _path_with(directory):
    return directory + os.pathsep + os.environ['PATH']


def _path_without_getkeytab(tmp_path):
    bindir = tmp_path / 'no-getkeytab'
    bindir.mkdir()
    return str(bindir) + os.pathsep + os.path.dirname(
        os.path.realpath('/bin/sh'))


def _writes(sim):
    return {name: count for name, count in sim.admin.stats()['calls'].items()
            if not name.endswith(('_show', '_find')) and name != 'ping'}


def _role(ipa):
    return ipa.call('role_show', [ipa_rbac.ROLE])['result']


def _snapshot(*paths):
    return {path: open(path, 'rb').read() if os.path.exists(path) else None
            for path in paths}


def test_install_twice_then_nothing_to_change(ipa, sim, installer, tmp_path):
    nova_conf = tmp_path / 'nova.conf'
    nova_conf.write_text(NOVA_CONF)
    tools = _fake_getkeytab(str(tmp_path / 'bin'))

    first = installer.run('--nova-conf', str(nova_conf),
                          '--memcached-servers', '127.0.0.1:11211',
                          path=_path_with(tools))
    assert first.returncode == 0, first.stderr + first.stdout
    assert 'change(s) made' in first.stdout

    role = _role(ipa)
    assert role['member_service'] == [PRINCIPAL]
    assert role['memberof_privilege'] == [ipa_rbac.PRIVILEGE]
    privilege = ipa.call('privilege_show', [ipa_rbac.PRIVILEGE])['result']
    assert sorted(privilege['memberof_permission']) == sorted(
        ipa_rbac.PRIVILEGE_PERMISSIONS)
    for permission in ipa_rbac.OWN_PERMISSIONS:
        entry = ipa.call('permission_show', [permission.name])['result']
        assert entry['attrs'] == permission.attrs
        assert entry['ipapermright'] == [permission.right]
    # TLS services make a host the manager of another (admin guide,
    # "Permissions in IPA").
    assert 'Modify host managedBy attribute' in privilege[
        'memberof_permission']
    managers = ipa.call('permission_show',
                        ['Modify host managedBy attribute'])['result']
    assert managers['attrs'] == ['managedby']
    assert managers['type'] == ['host']
    assert ipa.service_show(PRINCIPAL)['result']['krbcanonicalname'] == [
        PRINCIPAL]

    with open(tmp_path / 'bin' / 'calls') as f:
        assert f.read().split() == ['-s', 'localhost', '-p', PRINCIPAL,
                                    '-k', installer.keytab]
    assert stat.S_IMODE(os.stat(installer.keytab).st_mode) == 0o600
    key_mode = stat.S_IMODE(os.stat(installer.otp_key).st_mode)
    assert key_mode == 0o400
    with open(installer.otp_key, 'rb') as f:
        assert len(base64.b64decode(f.read().strip(), validate=True)) == 48
    assert stat.S_IMODE(os.stat(installer.join_conf).st_mode) == 0o600
    join = configparser.ConfigParser()
    join.read(installer.join_conf)
    assert join['ipa']['principal'] == PRINCIPAL
    assert join['ipa']['keytab'] == installer.keytab
    assert join['ipa']['servers'] == 'localhost:%d' % sim.port
    assert join['enrollment']['otp_key_file'] == installer.otp_key
    assert join['keystone_authtoken']['memcached_servers'] == (
        '127.0.0.1:11211')
    # keystonemiddleware's cache in memcached is authenticated and
    # encrypted with a random secret that is never printed.
    authtoken = join['keystone_authtoken']
    assert authtoken['memcache_security_strategy'] == 'ENCRYPT'
    assert len(authtoken['memcache_secret_key']) >= 48
    assert authtoken['memcache_secret_key'] not in (
        first.stdout + first.stderr)

    edited = nova_conf.read_text()
    # Everything that was there is still there, comments included ...
    for line in NOVA_CONF.splitlines():
        if not line.startswith(('vendordata_providers',
                                'vendordata_dynamic_targets', 'driver')):
            assert line in edited.splitlines(), line
    nova = configparser.ConfigParser()
    nova.read_string(edited)
    # ... lists are merged, other providers and targets stay ...
    assert nova['api']['vendordata_providers'] == 'StaticJSON,DynamicJSON'
    assert nova['api']['vendordata_dynamic_targets'] == (
        'other@https://other.example.test/v1,'
        'join@https://%s:9090/v1' % CONTROLLER)
    assert nova['api']['vendordata_jsonfile_path'] == '/etc/nova/other.json'
    # ... and nova's service user authenticates the vendordata calls.
    assert nova['vendordata_dynamic_auth']['username'] == 'nova'
    assert nova['vendordata_dynamic_auth']['auth_type'] == 'password'
    assert nova['oslo_messaging_notifications']['driver'] == 'messagingv2'
    assert nova['notifications']['notify_on_state_change'] == (
        'vm_and_task_state')
    assert 'nova-service-password' not in first.stdout + first.stderr
    assert 'not-shown' not in first.stdout + first.stderr
    assert sim.admin_password not in first.stdout + first.stderr

    files = _snapshot(installer.join_conf, installer.otp_key,
                      installer.keytab, str(nova_conf))
    sim.admin.reset_stats()
    second = installer.run('--nova-conf', str(nova_conf),
                           '--memcached-servers', '127.0.0.1:11211',
                           path=_path_with(tools))
    assert second.returncode == 0, second.stderr + second.stdout
    assert second.stdout.splitlines()[-1] == (
        'nothing to change: this controller is set up already')
    assert 'done:' not in second.stdout
    assert _writes(sim) == {}
    assert _snapshot(*files) == files
    with open(tmp_path / 'bin' / 'calls') as f:
        assert len(f.read().splitlines()) == 1


def test_dry_run_prints_every_change_and_makes_none(ipa, sim, installer,
                                                    tmp_path):
    nova_conf = tmp_path / 'nova.conf'
    nova_conf.write_text(NOVA_CONF)
    sim.admin.reset_stats()

    result = installer.run('--dry-run', '--nova-conf', str(nova_conf),
                           path=_path_without_getkeytab(tmp_path))

    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    for permission in ipa_rbac.OWN_PERMISSIONS:
        assert 'would add IPA permission "%s"' % permission.name in out
    assert 'would add IPA privilege "%s"' % ipa_rbac.PRIVILEGE in out
    assert 'would add IPA role "%s"' % ipa_rbac.ROLE in out
    assert 'would add IPA service %s' % PRINCIPAL in out
    assert 'would make service %s a member' % PRINCIPAL in out
    assert 'would create OTP key %s' % installer.otp_key in out
    assert 'would set [ipa] principal = %s in %s' % (
        PRINCIPAL, installer.join_conf) in out
    assert 'would set [api] vendordata_dynamic_targets' in out
    assert 'would set [vendordata_dynamic_auth] password = ****' in out
    # Without ipa-getkeytab the command is printed for the operator.
    assert ('ipa-getkeytab -s localhost -p %s -k %s'
            % (PRINCIPAL, installer.keytab)) in out
    assert out.splitlines()[-1].startswith('dry run: ')

    assert _writes(sim) == {}
    with pytest.raises(ipa_errors.NotFound):
        _role(ipa)
    assert not os.path.exists(installer.otp_key)
    assert not os.path.exists(installer.join_conf)
    assert nova_conf.read_text() == NOVA_CONF


def test_without_nova_conf_the_settings_are_printed(ipa, installer,
                                                    tmp_path):
    result = installer.run(path=_path_without_getkeytab(tmp_path))
    assert result.returncode == 0, result.stderr + result.stdout
    assert 'vendordata_providers = StaticJSON,DynamicJSON' in result.stdout
    assert ('vendordata_dynamic_targets = join@https://%s:9090/v1'
            % CONTROLLER) in result.stdout
    assert 'driver = messagingv2' in result.stdout


def test_wrong_admin_password_fails_cleanly(ipa, installer, tmp_path):
    with open(installer.password_file, 'w') as f:
        f.write('wrong-password')
    result = installer.run(path=_path_without_getkeytab(tmp_path))
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert 'novajoin-install:' in result.stderr
    assert not os.path.exists(installer.join_conf)


def _planted_target(tmp_path):
    """A root-owned 0640 file a symlink can point at (/etc/shadow's like)."""
    target = tmp_path / 'precious'
    target.write_text('root-only content\n')
    os.chmod(target, 0o640)
    before = os.stat(target)
    return target, (before.st_mode, before.st_uid, before.st_gid)


def _assert_refused_and_nothing_changed(result, sim, installer, words):
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Traceback' not in result.stderr
    assert words in result.stderr, result.stderr
    assert 'Nothing was changed' in result.stderr
    assert _writes(sim) == {}
    assert not os.path.exists(installer.join_conf)


@pytest.mark.parametrize('planted', ['otp_key', 'keytab'])
def test_a_planted_symlink_is_refused_and_its_target_untouched(
        ipa, sim, installer, tmp_path, planted):
    target, before = _planted_target(tmp_path)
    os.makedirs(os.path.dirname(installer.otp_key), exist_ok=True)
    os.symlink(str(target), getattr(installer, planted))
    sim.admin.reset_stats()
    tools = _fake_getkeytab(str(tmp_path / 'bin'))

    result = installer.run('--service-user', 'nobody',
                           path=_path_with(tools))

    _assert_refused_and_nothing_changed(result, sim, installer,
                                        'symbolic link')
    after = os.stat(target)
    assert (after.st_mode, after.st_uid, after.st_gid) == before
    assert target.read_text() == 'root-only content\n'
    assert os.path.islink(getattr(installer, planted))
    with pytest.raises(ipa_errors.NotFound):
        _role(ipa)


@pytest.mark.parametrize('planted', ['otp_key', 'keytab'])
def test_a_planted_file_of_another_user_is_refused(ipa, sim, installer,
                                                   tmp_path, planted):
    path = getattr(installer, planted)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(base64.b64encode(os.urandom(48)) + b'\n')
    os.chmod(path, 0o400)
    os.chown(path, 65534, 65534)     # nobody: not root, not the service user
    sim.admin.reset_stats()

    result = installer.run(path=_path_with(_fake_getkeytab(
        str(tmp_path / 'bin'))))

    _assert_refused_and_nothing_changed(result, sim, installer,
                                        'owned by uid 65534')
    assert os.stat(path).st_uid == 65534
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o400


def test_an_existing_key_others_can_write_is_refused(ipa, sim, installer,
                                                     tmp_path):
    os.makedirs(os.path.dirname(installer.otp_key), exist_ok=True)
    with open(installer.otp_key, 'wb') as f:
        f.write(base64.b64encode(os.urandom(48)) + b'\n')
    os.chmod(installer.otp_key, 0o602)
    sim.admin.reset_stats()

    result = installer.run(path=_path_without_getkeytab(tmp_path))

    _assert_refused_and_nothing_changed(result, sim, installer,
                                        'writable by other users')
    assert stat.S_IMODE(os.stat(installer.otp_key).st_mode) == 0o602


LOG_LINE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \d+ '
                      r'(DEBUG|INFO|WARNING|ERROR|CRITICAL) ')


def test_stdout_is_the_report_and_logs_go_to_stderr(ipa, installer,
                                                    tmp_path):
    """Logging at INFO (the default) goes to stderr, never to stdout."""
    path = _path_without_getkeytab(tmp_path)
    result = installer.run('--dry-run', path=path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert 'IPA login succeeded' in result.stderr
    assert not [line for line in result.stdout.splitlines()
                if LOG_LINE.match(line)], result.stdout
    assert result.stdout.splitlines()[-1].startswith('dry run: ')

    with open(installer.password_file, 'w') as f:
        f.write('wrong-password')
    failed = installer.run(path=path)
    assert failed.returncode == 1
    assert failed.stdout == ''
    assert 'novajoin-install:' in failed.stderr
