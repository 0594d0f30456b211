"""A novajoin-server worker logs in to Keystone and IPA once it serves, so
that its first enrollment pays only its own round trips."""

import time

from tests.fixtures import novajoin_server
from tests.functional.api import conftest

STEPS = ('Keystone login with [keystone_authtoken]',
         'Keystone login with [service_credentials] and a first Glance '
         'request',
         'IPA login to localhost:%d')


def _assert_no_secrets(log, ks, sim, nova):
    for secret in (sim.admin_password,
                   ks.service_credentials_conf()['password'],
                   nova.session.get_token()):
        assert secret not in log


def _wait_for_log(server, texts, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        log = server.log_text()
        if all(text in log for text in texts):
            return log
        time.sleep(0.1)
    raise AssertionError('%s not all in the log:\n%s'
                         % (texts, server.log_text()))


def test_worker_logs_in_before_its_first_request(tmp_path, test_ca, ks,
                                                 standin, sim, otp_key_file):
    sim.admin.reset_stats()
    with novajoin_server.run_novajoin_server(
            tmp_path, test_ca,
            conftest.server_sections(ks, sim, otp_key_file)) as server:
        done = ['%s done at start' % (step % sim.port if '%d' in step
                                      else step) for step in STEPS]
        _wait_for_log(server, done)
        assert sim.admin.stats()['logins']['password'] == 1

        nova = conftest.caller_for(server, ks, 'nova')
        response = nova.post(conftest.vendordata_body(
            metadata={'ipa_enroll': 'true'}))

        assert response.status_code == 200, response.text
        assert response.json()['ipaotp']
        stats = sim.admin.stats()
        assert stats['logins']['password'] == 1
        assert stats['calls']['batch'] == 1
        assert 'failed at start' not in server.log_text()
        _assert_no_secrets(server.log_text(), ks, sim, nova)


def test_ipa_down_at_start_is_a_warning_and_the_first_request_logs_in(
        tmp_path, test_ca, ks, standin, sim, otp_key_file):
    sim.admin.control(outage='refuse')
    sections = conftest.server_sections(ks, sim, otp_key_file)
    with novajoin_server.run_novajoin_server(tmp_path, test_ca,
                                             sections) as server:
        failed = 'IPA login to localhost:%d failed at start' % sim.port
        log = _wait_for_log(server, [failed])
        [line] = [line for line in log.splitlines() if failed in line]
        assert ' WARNING novajoin.api.warm_up ' in line
        sim.admin.control(outage='none')
        sim.admin.reset_stats()

        nova = conftest.caller_for(server, ks, 'nova')
        response = nova.post(conftest.vendordata_body(
            metadata={'ipa_enroll': 'true'}))

        assert response.status_code == 200, response.text
        assert sim.admin.stats()['logins']['password'] == 1
        _assert_no_secrets(server.log_text(), ks, sim, nova)
