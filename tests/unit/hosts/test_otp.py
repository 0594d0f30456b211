import math
import os
import subprocess
import sys
from unittest import mock

import pytest

from novajoin import exception
from novajoin.hosts import otp
from tests.unit.hosts import conftest

FQDN = 'web1.example.test'
NONCE = 'Jr3yV0cQeQn4bq2bq3HqVg'
# Binary, with whitespace bytes inside but not at either end.
BINARY_KEY = b'\x01' + bytes(range(9, 39)) + b'\xff'


def write_key(tmp_path, content, mode=0o400, name='otp.key'):
    path = tmp_path / name
    path.write_bytes(content)
    path.chmod(mode)
    return str(path)


def test_same_key_and_nonce_give_the_same_otp_on_every_call(key_bytes):
    first = otp.OTPKey(key_bytes)
    replica = otp.OTPKey(bytes(key_bytes))
    answers = {key.derive_otp(conftest.INSTANCE, FQDN, NONCE)
               for key in (first, first, replica)}
    assert len(answers) == 1


def test_another_process_with_the_key_file_derives_the_same_otp(tmp_path):
    key_file = write_key(tmp_path, BINARY_KEY + b'\n')
    expected = otp.OTPKey.from_file(key_file).derive_otp(
        conftest.INSTANCE, FQDN, NONCE)
    script = ('import sys\n'
              'from novajoin.hosts import otp\n'
              'key = otp.OTPKey.from_file(sys.argv[1])\n'
              'print(key.derive_otp(*sys.argv[2:]))\n')
    output = subprocess.run(
        [sys.executable, '-c', script, key_file, conftest.INSTANCE, FQDN,
         NONCE],
        check=True, stdout=subprocess.PIPE, universal_newlines=True,
        env=dict(os.environ, PYTHONHASHSEED='random'),
        cwd=os.path.dirname(os.path.dirname(otp.__file__)))
    assert output.stdout.strip() == expected


@pytest.mark.parametrize('instance, fqdn, nonce', [
    (conftest.OTHER_INSTANCE, FQDN, NONCE),
    (conftest.INSTANCE, 'web2.example.test', NONCE),
    (conftest.INSTANCE, FQDN, 'another-nonce'),
])
def test_otp_changes_with_instance_fqdn_or_nonce(otp_key, instance, fqdn,
                                                 nonce):
    reference = otp_key.derive_otp(conftest.INSTANCE, FQDN, NONCE)
    assert otp_key.derive_otp(instance, fqdn, nonce) != reference


def test_otp_changes_with_the_key():
    one = otp.OTPKey(b'k' * 32).derive_otp(conftest.INSTANCE, FQDN, NONCE)
    two = otp.OTPKey(b'K' * 32).derive_otp(conftest.INSTANCE, FQDN, NONCE)
    assert one != two


def test_fields_are_not_ambiguous_when_concatenated(otp_key):
    assert (otp_key.derive_otp('ab', 'c', NONCE)
            != otp_key.derive_otp('a', 'bc', NONCE))


def test_otp_is_32_shell_safe_characters_with_at_least_128_bits(otp_key):
    value = otp_key.derive_otp(conftest.INSTANCE, FQDN, NONCE)
    assert len(value) == otp.OTP_LENGTH == 32
    assert set(value) <= set(otp.OTP_ALPHABET)
    assert value.isalnum() and value.isascii()
    bits = otp.OTP_LENGTH * math.log2(len(otp.OTP_ALPHABET))
    assert bits >= 128


def test_otps_use_the_whole_alphabet_and_do_not_repeat():
    key = otp.OTPKey(b'0123456789abcdef0123456789abcdef')
    values = [key.derive_otp(conftest.INSTANCE, FQDN, 'nonce-%d' % n)
              for n in range(500)]
    assert len(set(values)) == len(values)
    assert set(''.join(values)) == set(otp.OTP_ALPHABET)


def test_new_nonce_has_128_random_bits():
    nonces = {otp.new_nonce() for _ in range(100)}
    assert len(nonces) == 100
    for nonce in nonces:
        # token_urlsafe(16): 16 bytes, base64url without padding.
        assert len(nonce) == 22
        assert nonce.replace('-', '').replace('_', '').isalnum()


def test_key_shorter_than_32_bytes_is_refused():
    with pytest.raises(ValueError):
        otp.OTPKey(b'x' * 31)
    assert otp.OTPKey(b'x' * 32)


def test_repr_does_not_show_the_key():
    key = b'hunter2-key-material-0123456789a'
    assert 'hunter2' not in repr(otp.OTPKey(key))


def test_key_file_gives_the_key_it_holds(tmp_path):
    from_file = otp.OTPKey.from_file(write_key(tmp_path, BINARY_KEY))
    direct = otp.OTPKey(BINARY_KEY)
    assert (from_file.derive_otp(conftest.INSTANCE, FQDN, NONCE)
            == direct.derive_otp(conftest.INSTANCE, FQDN, NONCE))


def test_text_key_with_or_without_final_newline_gives_the_same_otp(tmp_path):
    text = b'c2VjcmV0IGtleSBmb3Igbm92YWpvaW4gcmVwbGljYXM='
    with_newline = otp.OTPKey.from_file(
        write_key(tmp_path, text + b'\n', name='a'))
    without = otp.OTPKey.from_file(write_key(tmp_path, text, name='b'))
    assert (with_newline.derive_otp(conftest.INSTANCE, FQDN, NONCE)
            == without.derive_otp(conftest.INSTANCE, FQDN, NONCE))


def test_missing_key_file_says_how_to_create_it(tmp_path):
    path = str(tmp_path / 'missing.key')
    with pytest.raises(exception.ConfigurationError) as caught:
        otp.OTPKey.from_file(path)
    assert path in caught.value.message
    assert 'does not exist' in caught.value.message
    assert 'chmod 0400' in caught.value.message


def test_unreadable_key_file_is_a_configuration_error(tmp_path, key_bytes):
    path = write_key(tmp_path, key_bytes)
    # The tests may run as root, who reads any file: fake the refusal.
    with mock.patch('novajoin.hosts.otp.open', create=True,
                    side_effect=PermissionError(13, 'Permission denied')):
        with pytest.raises(exception.ConfigurationError) as caught:
            otp.OTPKey.from_file(path)
    assert 'not readable' in caught.value.message
    assert path in caught.value.message


@pytest.mark.parametrize('content', [b'', b'short', b'x' * 31,
                                     b'  ' + b'x' * 30 + b'\n\n'])
def test_too_short_key_file_is_a_configuration_error(tmp_path, content):
    with pytest.raises(exception.ConfigurationError) as caught:
        otp.OTPKey.from_file(write_key(tmp_path, content))
    assert 'at least 32' in caught.value.message


RANDOM_TEXT_KEY = (b'q8Vd0Zk3rT6yWm1LpC9sXe4HfB7nJa2G'
                   b'uR5tYi0OwQ3zKx8Mv6Ns1De4Pb7Lc9Ah')


@pytest.mark.parametrize('mode', [0o404, 0o402, 0o644, 0o604])
def test_key_file_other_users_can_access_is_refused(tmp_path, key_bytes,
                                                    mode):
    with pytest.raises(exception.ConfigurationError) as caught:
        otp.OTPKey.from_file(write_key(tmp_path, key_bytes, mode=mode))
    assert 'accessible to every user' in caught.value.message


@pytest.mark.parametrize('mode', [0o420, 0o460, 0o660, 0o620])
def test_key_file_the_group_can_write_is_refused(tmp_path, mode):
    with pytest.raises(exception.ConfigurationError) as caught:
        otp.OTPKey.from_file(write_key(tmp_path, RANDOM_TEXT_KEY, mode=mode))
    assert 'writable by its group' in caught.value.message


def test_key_file_readable_by_the_group_is_accepted_with_a_warning(
        tmp_path, caplog):
    path = write_key(tmp_path, RANDOM_TEXT_KEY, mode=0o440)
    assert otp.OTPKey.from_file(path)
    warnings = [r for r in caplog.records if r.levelname == 'WARNING']
    assert len(warnings) == 1
    assert 'readable by its group' in warnings[0].getMessage()
    assert RANDOM_TEXT_KEY.decode() not in caplog.text


@pytest.mark.parametrize('mode', [0o400, 0o600])
def test_key_file_of_its_owner_only_is_accepted_quietly(tmp_path, caplog,
                                                        mode):
    assert otp.OTPKey.from_file(write_key(tmp_path, RANDOM_TEXT_KEY,
                                          mode=mode))
    assert not [r for r in caplog.records if r.levelname == 'WARNING']


@pytest.mark.parametrize('content', [
    b'x' * 48,
    b'ab' * 24,
    b'0123456789abcdef' * 3,
    b'password' * 5,
    b'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab',
    bytes(range(4)) * 10,
])
def test_obviously_not_random_key_is_refused(tmp_path, content):
    with pytest.raises(exception.ConfigurationError) as caught:
        otp.OTPKey.from_file(write_key(tmp_path, content))
    assert 'does not look random' in caught.value.message
    assert content.decode('latin-1') not in caught.value.message


@pytest.mark.parametrize('command', [
    'import base64, os; print(base64.b64encode(os.urandom(48)).decode())',
    'import os; print(os.urandom(32).hex())',
    'import os, sys; sys.stdout.buffer.write(os.urandom(32))',
])
def test_keys_made_as_documented_are_accepted(tmp_path, command):
    for attempt in range(20):
        content = subprocess.run([sys.executable, '-c', command],
                                 capture_output=True, check=True).stdout
        if len(content.strip()) >= otp.MIN_KEY_BYTES:
            break
    assert otp.OTPKey.from_file(write_key(tmp_path, content,
                                          name='k%d' % attempt))


def test_directory_as_key_file_is_refused(tmp_path):
    with pytest.raises(exception.ConfigurationError) as caught:
        otp.OTPKey.from_file(str(tmp_path))
    assert 'not a regular file' in caught.value.message
