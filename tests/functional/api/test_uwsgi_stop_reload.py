"""The shipped uWSGI ini stops promptly on SIGTERM and reloads on SIGHUP.

systemd's stop, a package upgrade or a rolling restart send SIGTERM: idle,
uWSGI must be gone within 5 s (issue 19); busy, the requests in flight
still get their answers (their budget is nova's 5 s), then it exits. SIGHUP
reloads the workers gracefully: requests in flight are answered and the
master keeps serving.
"""

from concurrent import futures
import os
import signal
import socket
import time
import uuid

import pytest
import requests

from tests.fixtures import novajoin_server
from tests.functional.api import conftest

STOP_WITHIN = 5.0
# IPA answers a call in this long: an enrollment is in flight for seconds.
SLOW_IPA_MS = 600


@pytest.fixture
def served(tmp_path, test_ca, ks, sim, otp_key_file, standin):
    sections = conftest.server_sections(ks, sim, otp_key_file)
    with novajoin_server.run_novajoin_server(
            tmp_path, test_ca, sections,
            runner=novajoin_server.SHIPPED_UWSGI_INI) as server:
        yield server


def _enroll(server, ks):
    body = conftest.vendordata_body(hostname='vm-%s' % uuid.uuid4().hex[:8])
    return conftest.caller_for(server, ks, 'nova').post(body)


def _wait_until_in_flight(sim, count, limit=15.0):
    """Until ``count`` IPA calls run at once at the simulator: that many
    requests are inside the workers (past Keystone and the token check),
    however slowly this machine got them there.
    """
    deadline = time.monotonic() + limit
    while sim.admin.stats()['concurrent_now'] < count:
        assert time.monotonic() < deadline, (
            'fewer than %d requests reached IPA within %.0f s'
            % (count, limit))
        time.sleep(0.02)


def _seconds_to_exit(process, signum, limit=60):
    started = time.monotonic()
    process.send_signal(signum)
    try:
        process.wait(limit)
    except Exception:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return time.monotonic() - started


def test_idle_uwsgi_stops_within_5_s_of_sigterm(served, ks):
    assert _enroll(served, ks).status_code == 200
    elapsed = _seconds_to_exit(served.process, signal.SIGTERM)
    assert elapsed < STOP_WITHIN, elapsed
    assert served.process.returncode == 0


def test_busy_uwsgi_answers_requests_in_flight_then_stops(served, ks,
                                                          sim):
    sim.admin.control(latency_ms=SLOW_IPA_MS)
    with futures.ThreadPoolExecutor(max_workers=3) as pool:
        answers = [pool.submit(_enroll, served, ks) for _ in range(3)]
        _wait_until_in_flight(sim, 3)
        elapsed = _seconds_to_exit(served.process, signal.SIGTERM)
        statuses = [answer.result().status_code for answer in answers]
    assert statuses == [200] * 3
    assert elapsed < STOP_WITHIN, elapsed
    # After the stop nothing listens any more.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(served.address, timeout=5).close()


def test_sighup_reloads_gracefully(served, ks, sim):
    sim.admin.control(latency_ms=SLOW_IPA_MS)
    with futures.ThreadPoolExecutor(max_workers=2) as pool:
        in_flight = [pool.submit(_enroll, served, ks) for _ in range(2)]
        _wait_until_in_flight(sim, 2)
        served.process.send_signal(signal.SIGHUP)
        assert [f.result().status_code for f in in_flight] == [200] * 2
    sim.admin.control(latency_ms=0)
    deadline = time.monotonic() + 30
    while True:
        try:
            if _enroll(served, ks).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, 'no answer after the reload'
        time.sleep(0.2)
    assert served.process.poll() is None
    assert 'chain reload' in _uwsgi_log(served)


def _uwsgi_log(server):
    with open(os.path.join(os.path.dirname(server.log_file), 'uwsgi.log'),
              errors='replace') as log:
        return log.read()
