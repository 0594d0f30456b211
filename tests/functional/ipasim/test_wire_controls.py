"""The control endpoint's latency knobs: one latency for every request, or
separate ones for reads and writes. Only lower bounds are asserted; what a
call costs beyond its latency is measured by tools/bench/ipasim_overhead.py.
"""

import time

H1 = 'h1.example.test'
SLOW_MS = 300


def elapsed(call, *args, **options):
    started = time.monotonic()
    call(*args, **options)
    return time.monotonic() - started


def test_control_reports_latencies(sim, ipa):
    answer = sim.admin.control(latency_ms=5, write_latency_ms=7)
    assert answer == {'latency_ms': 5, 'read_latency_ms': None,
                      'write_latency_ms': 7, 'outage': 'none'}


def test_write_latency_applies_to_writes(sim, ipa):
    sim.admin.control(write_latency_ms=SLOW_MS)
    assert elapsed(ipa.result, 'host_add', H1, force=True) >= SLOW_MS / 1e3


def test_read_latency_applies_to_reads(sim, ipa):
    ipa.result('host_add', H1, force=True)
    sim.admin.control(read_latency_ms=SLOW_MS)
    assert elapsed(ipa.result, 'host_show', H1) >= SLOW_MS / 1e3


def test_batch_with_a_write_is_a_write(sim, ipa):
    sim.admin.control(write_latency_ms=SLOW_MS)
    batch = [{'method': 'ping', 'params': [[], {}]},
             {'method': 'host_add/1', 'params': [[H1], {'force': True}]}]
    assert elapsed(ipa.result, 'batch', *batch) >= SLOW_MS / 1e3


def test_latency_ms_covers_both(sim, ipa):
    sim.admin.control(latency_ms=SLOW_MS)
    assert elapsed(ipa.result, 'ping') >= SLOW_MS / 1e3


def test_bad_latency_is_400(sim):
    for body in ({'read_latency_ms': -1}, {'latency_ms': None},
                 {'write_latency_ms': 'fast'}):
        response = sim.admin._http.post(sim.admin_url + '/control',
                                        json=body, timeout=30)
        assert response.status_code == 400, body
