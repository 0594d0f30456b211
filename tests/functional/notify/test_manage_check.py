"""novajoin-manage check against the simulator, real Keystone, the nova
stand-in and the real RabbitMQ: passing, and failing for each cause."""

import os
import re
import socket

from tests.fixtures import tls
from tests.functional.notify import lifecycle


def _rows(output):
    """{check name: result} from check's table."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip('|').split('|')]
        if len(cells) == 3 and cells[1] in ('pass', 'FAIL', 'skipped'):
            rows[cells[0]] = cells[1]
    return rows


def _check(env, edits=None):
    """Run check with ``edits`` ({(section, option): value}) applied."""
    path = env.write_conf()
    with open(path) as conf_file:
        text = conf_file.read()
    for (section, option), value in (edits or {}).items():
        pattern = re.compile(r'(\[%s\][^\[]*?^)%s = .*?$' % (
            re.escape(section), re.escape(option)), re.M | re.S)
        text, count = pattern.subn(r'\g<1>%s = %s' % (option, value), text)
        assert count == 1, (section, option)
    with open(path, 'w') as conf_file:
        conf_file.write(text)
    return lifecycle.run_manage(path, 'check')


def _assert_fails(result, check, fix_words):
    rows = _rows(result.stdout)
    assert result.returncode == 1, result.stdout + result.stderr
    assert rows[check] == 'FAIL', result.stdout
    assert 'fix:' in result.stdout
    assert fix_words in ' '.join(result.stdout.split()), result.stdout
    return rows


def test_check_passes_with_a_working_configuration(env):
    result = _check(env)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = _rows(result.stdout)
    assert set(rows.values()) == {'pass'}, result.stdout
    assert len(rows) == 9
    assert '9 of 9 checks passed' in result.stdout
    # The probe host is gone again.
    assert not any(name.startswith('novajoin-check-')
                   for name in env.host_fqdns())
    assert env.ipa.admin_password not in result.stdout + result.stderr


def test_untrusted_ipa_certificate(env, tmp_path):
    other_ca = tls.TestCA(tmp_path / 'other-ca', name='someone else')
    result = _check(env, {('ipa', 'ca_file'): other_ca.ca_file})
    rows = _assert_fails(result, 'IPA reachable, certificate trusted',
                         'set [ipa] ca_file')
    assert rows['IPA login'] == 'skipped'


def test_wrong_ipa_password(env):
    result = _check(env, {('ipa', 'password'): 'not-the-password'})
    rows = _assert_fails(result, 'IPA login', 'check [ipa] user and password')
    assert rows['IPA permissions'] == 'skipped'
    assert 'not-the-password' not in result.stdout + result.stderr


def test_missing_ipa_permission(env):
    env.ipa.admin._call('POST', '/users', {'user': 'reader',
                                           'password': 'reader-pw',
                                           'read_only': True})
    result = _check(env, {('ipa', 'user'): 'reader',
                          ('ipa', 'password'): 'reader-pw'})
    rows = _assert_fails(result, 'IPA permissions', 'Nova Host Manager')
    assert rows['IPA login'] == 'pass'


def test_rabbitmq_down(env):
    with socket.socket() as unused:
        unused.bind(('127.0.0.1', 0))
        port = unused.getsockname()[1]
    url = 'rabbit://guest:guest@127.0.0.1:%d/' % port
    result = _check(env, {('DEFAULT', 'transport_url'): url})
    _assert_fails(result, 'RabbitMQ', 'check that RabbitMQ runs')


def test_bad_otp_key_file(env):
    os.chmod(env.otp_key_file, 0o600)
    with open(env.otp_key_file, 'w') as key_file:
        key_file.write('short')
    result = _check(env)
    _assert_fails(result, 'OTP key', 'create or fix')


def test_memcached_token_cache_without_protection(env):
    path = env.write_conf()
    with open(path, 'a') as conf_file:
        conf_file.write('\n[keystone_authtoken]\n'
                        'memcached_servers = 127.0.0.1:11211\n')
    result = lifecycle.run_manage(path, 'check')
    _assert_fails(result, 'token cache', 'memcache_security_strategy')
    with open(path, 'a') as conf_file:
        conf_file.write('memcache_security_strategy = ENCRYPT\n'
                        'memcache_secret_key = sh0rt!\n')
    result = lifecycle.run_manage(path, 'check')
    _assert_fails(result, 'token cache', 'at least 32')
    assert 'sh0rt!' not in result.stdout
    with open(path, 'a') as conf_file:
        conf_file.write('memcache_secret_key = %s\n' % ('k3y-' * 12))
    result = lifecycle.run_manage(path, 'check')
    assert _rows(result.stdout)['token cache'] == 'pass', result.stdout
