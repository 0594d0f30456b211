"""novajoin-enroll.sh against a metadata service stand-in on loopback."""

import re
import subprocess
import time

import pytest

from tests.fixtures.net import free_port
from tests.functional.instance import guest as g


@pytest.mark.parametrize('shell', g.SHELLS)
def test_enrolls_on_first_try_with_otp_off_the_command_line(
        guest, metadata, shell):
    otp = g.new_otp()
    metadata.documents['latest'] = g.vendor_data(otp)

    result = guest.run(shell, NOVAJOIN_METADATA_URL=metadata.url,
                       NOVAJOIN_IPA_CLIENT_OPTIONS='--mkhomedir --no-ntp')

    assert result.returncode == 0, result.stderr
    assert metadata.requests == ['/openstack/latest/vendor_data2.json']
    [call] = guest.ipa_calls()
    assert g.args_without_password(call) == g.expected_ipa_args(
        ['--mkhomedir', '--no-ntp'])
    assert g.password_given(call) == otp
    assert '--force-join' not in call['argv']
    assert not call['password_in_own_command_line']
    assert call['password_in_other_command_lines'] == 0
    assert 'enrolled %s in realm %s' % (g.FQDN, g.REALM) in guest.log_text()
    g.assert_otp_kept_secret(guest, result, otp)


def test_falls_back_to_2016_10_06_when_latest_is_missing(guest, metadata):
    otp = g.new_otp()
    metadata.documents['2016-10-06'] = g.vendor_data(otp)

    result = guest.run(NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    assert metadata.requests == ['/openstack/latest/vendor_data2.json',
                                 '/openstack/2016-10-06/vendor_data2.json']
    assert g.password_given(guest.ipa_calls()[0]) == otp


@pytest.mark.parametrize('shell', g.SHELLS)
def test_retries_slow_and_failing_metadata_service_then_enrolls(
        guest, metadata, shell):
    otp = g.new_otp()
    metadata.documents['latest'] = g.vendor_data(otp)
    # Longer than the per-request timeout, then a 503, then the answer.
    metadata.upcoming = [('delay', 2.5), ('status', 503)]

    result = guest.run(shell, NOVAJOIN_METADATA_URL=metadata.url,
                       NOVAJOIN_HTTP_TIMEOUT='1')

    assert result.returncode == 0, result.stderr
    assert metadata.requests == ['/openstack/latest/vendor_data2.json'] * 3
    log = guest.log_text()
    assert 'attempt 1/4: no answer from' in log
    assert 'attempt 2/4: %s/latest/vendor_data2.json answered HTTP 503' % (
        metadata.url) in log
    assert g.password_given(guest.ipa_calls()[0]) == otp
    g.assert_otp_kept_secret(guest, result, otp)


@pytest.mark.parametrize('shell', g.SHELLS)
def test_gives_up_after_the_configured_attempts_with_growing_jittered_waits(
        guest, metadata, shell):
    metadata.always_status = 503

    result = guest.run(shell, NOVAJOIN_METADATA_URL=metadata.url,
                       NOVAJOIN_FETCH_ATTEMPTS='4',
                       NOVAJOIN_BACKOFF_INITIAL_MS='40',
                       NOVAJOIN_BACKOFF_MAX_MS='100')

    assert result.returncode == 1
    assert metadata.requests == ['/openstack/latest/vendor_data2.json'] * 4
    assert ('no vendor_data2.json from the metadata service at %s after 4 '
            'attempts' % metadata.url) in result.stderr
    waits = [int(ms) for ms in
             re.findall(r'retrying in (\d+) ms', guest.log_text())]
    # Doubling from 40 ms, capped at 100 ms; each wait is jittered down to
    # no less than half of its step.
    steps = [40, 80, 100]
    assert len(waits) == len(steps)
    for wait, step in zip(waits, steps):
        assert step // 2 <= wait <= step
    assert guest.ipa_calls() == []
    assert guest.leftovers() == []


def test_fails_clearly_when_nothing_answers(guest):
    url = 'http://127.0.0.1:%d/openstack' % free_port()

    result = guest.run(NOVAJOIN_METADATA_URL=url,
                       NOVAJOIN_FETCH_ATTEMPTS='2')

    assert result.returncode == 1
    assert 'attempt 2/2: no answer from %s/latest' % url in result.stderr
    assert 'after 2 attempts' in result.stderr
    assert guest.ipa_calls() == []


@pytest.mark.parametrize('body', [
    '{}',
    '{"static": {"cloud-init": "#cloud-config\\n"}}',
    '{"static": {}, "join": {}}',
    '{"join": {"hostname": "vm1.project.example.test",'
    ' "krb_realm": "EXAMPLE.TEST"}}',
], ids=['empty', 'static-only', 'empty-join', 'join-without-otp'])
@pytest.mark.parametrize('shell', g.SHELLS)
def test_no_join_request_exits_cleanly_without_enrolling(
        guest, metadata, shell, body):
    metadata.documents['latest'] = body

    result = guest.run(shell, NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    assert 'enrollment not requested' in result.stderr
    assert guest.ipa_calls() == []
    assert guest.leftovers() == []


def test_metadata_service_without_vendor_data2_exits_cleanly(
        guest, metadata):
    result = guest.run(NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    assert len(metadata.requests) == 2
    assert ('the metadata service has no vendor_data2.json: enrollment not '
            'requested') in result.stderr
    assert guest.ipa_calls() == []


@pytest.mark.parametrize('shell', g.SHELLS)
def test_already_enrolled_host_is_left_alone(guest, metadata, shell):
    metadata.documents['latest'] = g.vendor_data(g.new_otp())
    guest.mark_enrolled()

    result = guest.run(shell, NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    assert 'already enrolled' in result.stderr
    assert metadata.requests == []
    assert guest.ipa_calls() == []


def test_second_run_after_enrollment_is_a_no_op(guest, metadata):
    metadata.documents['latest'] = g.vendor_data(g.new_otp())

    first = guest.run(NOVAJOIN_METADATA_URL=metadata.url)
    second = guest.run(NOVAJOIN_METADATA_URL=metadata.url)

    assert (first.returncode, second.returncode) == (0, 0)
    assert len(guest.ipa_calls()) == 1
    assert len(metadata.requests) == 1


@pytest.mark.parametrize('shell', g.SHELLS)
def test_ipa_client_install_failure_fails_the_script(guest, metadata, shell):
    otp = g.new_otp()
    metadata.documents['latest'] = g.vendor_data(otp)

    result = guest.run(shell, NOVAJOIN_METADATA_URL=metadata.url,
                       NOVAJOIN_TEST_IPA_EXIT='3')

    assert result.returncode == 1
    assert 'ipa-client-install failed with exit status 3' in result.stderr
    g.assert_otp_kept_secret(guest, result, otp)


def test_shell_script_ipa_client_install_gets_the_otp_as_argument(
        guest, metadata):
    # Documented limitation: only a Python ipa-client-install can be given
    # the OTP off the command line.
    otp = g.new_otp()
    metadata.documents['latest'] = g.vendor_data(otp)
    guest.install_ipa_client_stand_in(python_script=False)

    result = guest.run(NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    [call] = guest.ipa_calls()
    assert g.password_given(call) == otp
    assert call['password_in_own_command_line']
    g.assert_otp_kept_secret(guest, result, otp)


@pytest.mark.parametrize('manager,expected', [
    ('apt-get', ['apt-get update -q',
                 'apt-get install -y -q freeipa-client']),
    ('dnf', ['dnf install -y ipa-client']),
    ('yum', ['yum install -y ipa-client']),
])
def test_installs_the_ipa_client_package_only_when_enrolling(
        guest, metadata, tmp_path, manager, expected):
    record = tmp_path / 'packages.txt'
    guest.remove_ipa_client()
    (guest.bin / manager).symlink_to(g.STAND_INS / 'package-manager')
    env = dict(NOVAJOIN_METADATA_URL=metadata.url,
               NOVAJOIN_INSTALL_CLIENT='yes',
               NOVAJOIN_TEST_PACKAGE_RECORD=str(record),
               NOVAJOIN_TEST_IPA_STAND_IN=str(
                   g.STAND_INS / 'ipa-client-install'))

    metadata.documents['latest'] = '{"join": {}}'
    not_requested = guest.run(**env)
    assert not_requested.returncode == 0, not_requested.stderr
    assert not record.exists()

    metadata.documents['latest'] = g.vendor_data(g.new_otp())
    result = guest.run(**env)

    assert result.returncode == 0, result.stderr
    assert record.read_text().splitlines() == expected
    assert len(guest.ipa_calls()) == 1


def test_missing_client_without_install_permission_fails(guest, metadata):
    metadata.documents['latest'] = g.vendor_data(g.new_otp())
    guest.remove_ipa_client()

    result = guest.run(NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 1
    assert ('ipa-client-install is missing and NOVAJOIN_INSTALL_CLIENT=no'
            in result.stderr)


@pytest.mark.parametrize('setting,value', [
    ('NOVAJOIN_FETCH_ATTEMPTS', '0'),
    ('NOVAJOIN_FETCH_ATTEMPTS', 'many'),
    ('NOVAJOIN_BACKOFF_MAX_MS', '-5'),
    ('NOVAJOIN_HTTP_TIMEOUT', '1.5'),
    ('NOVAJOIN_INSTALL_CLIENT', 'maybe'),
])
def test_invalid_setting_is_rejected_before_anything_happens(
        guest, metadata, setting, value):
    result = guest.run(NOVAJOIN_METADATA_URL=metadata.url, **{setting: value})

    assert result.returncode == 2
    assert 'invalid setting: %s=%s' % (setting, value) in result.stderr
    assert metadata.requests == []


@pytest.mark.parametrize('shell', g.SHELLS)
def test_terminated_while_waiting_leaves_nothing_behind(
        guest, metadata, shell):
    metadata.always_status = 503
    env = dict(guest.env, NOVAJOIN_METADATA_URL=metadata.url,
               NOVAJOIN_FETCH_ATTEMPTS='50',
               NOVAJOIN_BACKOFF_INITIAL_MS='1000',
               NOVAJOIN_BACKOFF_MAX_MS='1000')
    script = subprocess.Popen(g.shell_command(shell) + [str(g.ENROLL_SCRIPT)],
                              env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        while 'retrying in' not in guest.log_text():
            assert script.poll() is None, 'the script ended on its own'
            time.sleep(0.05)
        assert guest.leftovers() != []  # its working directory, for now
        script.terminate()
        status = script.wait(timeout=30)
    finally:
        if script.poll() is None:
            script.kill()
            script.wait()

    assert status != 0
    assert guest.leftovers() == []
    assert guest.ipa_calls() == []
