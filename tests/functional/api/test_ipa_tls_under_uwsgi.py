"""Concurrent enrollments under uWSGI: IPA sees exactly novajoin's calls.

A TLS failure to IPA is retried, so every spurious one (the PEM
NO_START_LINE of issue 19) costs IPA one call more than novajoin counts.
500 enrollments, 16 at a time, through the shipped uWSGI ini (processes
with threads): the simulator's count of calls must equal the sum of the
``ipa_calls`` novajoin logs per request, with no TLS retry in the log.
"""

from concurrent import futures
import re
import uuid

import pytest
import requests

from tests.fixtures import novajoin_server
from tests.functional.api import test_server_process

ENROLLMENTS = 500
AT_ONCE = 16
LATENCY_MS = 20
CALLS = re.compile(r'request=req-\S+ .* ipa_calls=(\d+) ')


@pytest.fixture
def served(tmp_path, test_ca, sim, otp_key_file):
    sections = test_server_process.noauth_sections(sim, otp_key_file)
    with novajoin_server.run_novajoin_server(
            tmp_path, test_ca, sections,
            runner=novajoin_server.SHIPPED_UWSGI_INI) as server:
        yield server


def _enroll(server, session):
    body = {'instance-id': str(uuid.uuid4()),
            'hostname': 'vm-%s' % uuid.uuid4().hex[:12],
            'metadata': {'ipa_enroll': 'true'}}
    return session.post(server.url + '/v1', json=body,
                        verify=server.ca_file, timeout=(5, 30)).status_code


def test_ipa_counts_the_calls_novajoin_counts(served, sim):
    # Every TLS read then waits for IPA's answer, as on a real network.
    sim.admin.control(latency_ms=LATENCY_MS)
    sim.admin.reset_stats()
    with requests.Session() as session:
        with futures.ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
            statuses = list(pool.map(lambda _: _enroll(served, session),
                                     range(ENROLLMENTS)))
    assert statuses.count(200) == ENROLLMENTS, {
        status: statuses.count(status) for status in set(statuses)}
    log = served.log_text()
    counted = [int(n) for n in CALLS.findall(log)]
    assert len(counted) == ENROLLMENTS
    # Commands inside a batch are counted as "batch:<command>" too.
    calls = sim.admin.stats()['calls']
    seen_by_ipa = sum(count for command, count in calls.items()
                      if ':' not in command)
    retries = [line for line in log.splitlines()
               if 'IPA attempt failed' in line]
    assert retries == []
    assert 'TLS failure' not in served.every_log_text()
    assert seen_by_ipa == sum(counted), calls
