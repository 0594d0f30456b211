"""novajoin-enroll.sh with its default metadata URL, 169.254.169.254.

A network namespace created by the test holds the link-local address on
its loopback device, so the script runs unmodified against a metadata
service stand-in there (an allowed skip where namespaces cannot be made).
"""

import secrets
import shutil
import subprocess
import sys
import time

import pytest

from tests.functional.instance import guest as g

METADATA_ADDRESS = '169.254.169.254'


def ip(*args):
    return subprocess.run([shutil.which('ip') or '/usr/sbin/ip'] + list(args),
                          capture_output=True, text=True)


@pytest.fixture
def namespace():
    name = 'nj-instance-%s' % secrets.token_hex(4)
    created = ip('netns', 'add', name)
    if created.returncode != 0:
        reason = ('allowed-skip: cannot create a network namespace here: %s'
                  % created.stderr.strip())
        print(reason)
        pytest.skip(reason)
    try:
        for command in (('link', 'set', 'lo', 'up'),
                        ('addr', 'add', METADATA_ADDRESS + '/32',
                         'dev', 'lo')):
            result = ip('netns', 'exec', name, 'ip', *command)
            assert result.returncode == 0, result.stderr
        yield name
    finally:
        ip('netns', 'delete', name)


def in_namespace(name, command):
    return [shutil.which('ip') or '/usr/sbin/ip', 'netns', 'exec', name] + (
        command)


@pytest.fixture
def link_local_metadata(namespace, tmp_path):
    """Serves ``tree`` as http://169.254.169.254/ inside ``namespace``."""
    tree = tmp_path / 'metadata'
    tree.mkdir()
    server = subprocess.Popen(
        in_namespace(namespace, [
            sys.executable, '-m', 'http.server', '80', '--bind',
            METADATA_ADDRESS, '--directory', str(tree)]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            probe = subprocess.run(
                in_namespace(namespace, [
                    'curl', '-s', '-o', '/dev/null',
                    'http://%s/' % METADATA_ADDRESS]))
            if probe.returncode == 0:
                break
            assert server.poll() is None, 'metadata stand-in exited'
            assert time.monotonic() < deadline, 'metadata stand-in not up'
            time.sleep(0.1)
        yield namespace, tree
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_in_namespace(guest, namespace, shell='bash', **env):
    full_env = dict(guest.env, **env)
    del full_env['NOVAJOIN_METADATA_URL']
    command = g.shell_command(shell) + [str(g.ENROLL_SCRIPT)]
    return subprocess.run(
        in_namespace(namespace, command),
        env=full_env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize('shell', g.SHELLS)
def test_enrolls_from_the_default_link_local_metadata_url(
        guest, link_local_metadata, shell):
    namespace, tree = link_local_metadata
    otp = g.new_otp()
    g.write_config_drive_tree(tree, {'latest': g.vendor_data(otp)})

    result = run_in_namespace(guest, namespace, shell)

    assert result.returncode == 0, result.stderr
    assert ('read http://169.254.169.254/openstack/latest/vendor_data2.json'
            in result.stderr)
    [call] = guest.ipa_calls()
    assert g.password_given(call) == otp
    g.assert_otp_kept_secret(guest, result, otp)


def test_no_metadata_service_on_the_link_local_address_fails_bounded(
        guest, namespace):
    result = run_in_namespace(guest, namespace,
                              NOVAJOIN_FETCH_ATTEMPTS='3')

    assert result.returncode == 1
    assert ('no vendor_data2.json from the metadata service at '
            'http://169.254.169.254/openstack after 3 attempts'
            in result.stderr)
    assert result.stderr.count('no answer from http://169.254.169.254') == 3
