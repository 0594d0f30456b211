"""What the API writes to its log: one line per vendordata request with the
decision, and never a secret (OTP, token, password, OTP key)."""

import re

from novajoin.hosts import ownership
from tests.functional.api import conftest

_LINE = re.compile(r'request=(req-[0-9a-f-]+) instance=(\S+) fqdn=(\S+) '
                   r'decision=(\S+) status=(\d+) ipa_calls=(\d+) '
                   r'duration_ms=(\d+)')


def _request_lines(server):
    return {match.group(1): match.groups()
            for match in _LINE.finditer(server.log_text())}


def test_one_line_per_request_with_its_decision(novajoin, nova, ks, sim):
    created = conftest.vendordata_body()
    not_requested = conftest.vendordata_body(metadata={})
    stranger = conftest.vendordata_body(hostname=created['hostname'])
    first = nova.post(created)
    repeat = nova.post(created)
    sim.admin.join(first.json()['hostname'], first.json()['ipaotp'])
    # An instance that enrolled in an earlier boot (this boot's repeats
    # may be answered from the cache until its entry expires).
    earlier = conftest.vendordata_body()
    sim.admin.seed_host('%s.%s' % (earlier['hostname'], sim.domain),
                        description=ownership.build_description(
                            earlier['instance-id']), enrolled=True)
    enrolled = nova.post(earlier)
    empty = nova.post(not_requested)
    refused = nova.post(stranger)
    denied_body = conftest.vendordata_body()
    denied = conftest.caller_for(novajoin, ks, 'demo').post(denied_body)

    lines = _request_lines(novajoin)
    expected = [(first, created, 'created', 200),
                (repeat, created, 'repeat', 200),
                (enrolled, earlier, 'enrolled', 200),
                (empty, not_requested, 'not-requested', 200),
                (refused, stranger, 'refused', 403)]
    for response, body, decision, status in expected:
        request_id = response.headers['X-OpenStack-Request-ID']
        line = lines[request_id]
        assert line[1] == body['instance-id']
        assert line[3] == decision, line
        assert int(line[4]) == status == response.status_code
    fqdn = first.json()['hostname']
    assert lines[first.headers['X-OpenStack-Request-ID']][2] == fqdn
    assert int(lines[first.headers['X-OpenStack-Request-ID']][5]) >= 1
    denied_line = lines[denied.headers['X-OpenStack-Request-ID']]
    assert denied.status_code == 403
    assert denied_line[3] == 'refused' and denied_line[4] == '403'
    assert denied_line[1] == denied_body['instance-id']


def test_no_secret_in_the_log(novajoin, nova, ks, ipa, otp_key_file, sim):
    answers = [nova.post(conftest.vendordata_body()).json()
               for _ in range(5)]
    otps = [answer['ipaotp'] for answer in answers]
    assert all(otps)
    with open(otp_key_file) as f:
        otp_key = f.read().strip()
    secrets_used = {'OTP %d' % number: value
                    for number, value in enumerate(otps)}
    secrets_used.update({
        'nova token': ks.token_for('nova'),
        'service password': ks.service_credentials_conf()['password'],
        'IPA password': ipa.admin_password,
        'OTP key': otp_key,
    })
    log = novajoin.log_text()
    assert 'decision=created' in log
    # Named, never shown: a failure message must not leak them either.
    leaked = sorted(name for name, value in secrets_used.items()
                    if value in log)
    assert not leaked, 'secrets in %s: %s' % (novajoin.log_file, leaked)
    assert 'ipa_session' not in log
