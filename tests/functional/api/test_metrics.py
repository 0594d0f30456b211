"""The API's metrics: off by default; novajoin-server serves them on a
management listener of its own (plain HTTP on loopback), never on the API
port; uWSGI and httpd only on the API port with ``[metrics]
api_port_path``. When on, the counts move with vendordata requests and IPA
calls, summed over uWSGI's two workers (prometheus-client multiprocess
mode)."""

from concurrent import futures
import glob
import os
import shutil
import tempfile

import pytest
import requests

from tests.fixtures import net
from tests.fixtures import novajoin_server
from tests.fixtures import prometheus
from tests.functional.api import conftest

REQUESTS = 'novajoin_vendordata_request_duration_seconds_count'
IPA_CALLS = 'novajoin_ipa_call_duration_seconds_count'
SLOT_WAITS = 'novajoin_ipa_connection_wait_seconds_count'


@pytest.fixture(scope='module', params=novajoin_server.RUNNERS)
def metrics_server(request, tmp_path_factory, test_ca, ks, ipa,
                   otp_key_file, standin):
    workdir = tmp_path_factory.mktemp('metrics-' + request.param)
    sections = conftest.server_sections(ks, ipa, otp_key_file)
    sections['metrics'] = {'enabled': True}
    env = {}
    if request.param == 'novajoin-server':
        metrics_port = net.free_port()
        sections['metrics']['api_listener_port'] = metrics_port
    else:
        # No listener of their own: the API port's path, asked for.
        sections['metrics']['api_port_path'] = True
        # Several processes; httpd's run as another user.
        multiproc_dir = tempfile.mkdtemp(prefix='novajoin-metrics-')
        os.chmod(multiproc_dir, 0o777)
        env['PROMETHEUS_MULTIPROC_DIR'] = multiproc_dir
    with novajoin_server.run_novajoin_server(
            workdir, test_ca, sections, runner=request.param,
            env=env) as server:
        server.multiproc_dir = env.get('PROMETHEUS_MULTIPROC_DIR')
        if request.param == 'novajoin-server':
            server.metrics_url = 'http://127.0.0.1:%d/metrics' % metrics_port
        else:
            server.metrics_url = server.url + '/metrics'
        yield server
    if server.multiproc_dir:
        shutil.rmtree(server.multiproc_dir)


def _scrape(server):
    return prometheus.scrape(server.metrics_url, verify=server.ca_file)


def test_metrics_are_served_where_configured(metrics_server, ks, sim):
    """novajoin-server: on its management listener, and not on the API
    port; uWSGI and httpd: on the API port, with api_port_path.
    """
    nova = conftest.caller_for(metrics_server, ks, 'nova')
    assert nova.post(conftest.vendordata_body(metadata={})).json() == {}
    samples = _scrape(metrics_server)
    assert prometheus.value(samples, REQUESTS, decision='not-requested',
                            status=200) >= 1
    on_api_port = requests.get(metrics_server.url + '/metrics',
                               verify=metrics_server.ca_file, timeout=5)
    if metrics_server.runner == 'novajoin-server':
        assert metrics_server.metrics_url.startswith('http://127.0.0.1:')
        assert on_api_port.status_code == 404
    else:
        assert on_api_port.status_code == 200


def test_metrics_count_requests_by_decision_and_ipa_calls(
        metrics_server, ks, sim):
    nova = conftest.caller_for(metrics_server, ks, 'nova')
    before = _scrape(metrics_server)
    bodies = [conftest.vendordata_body() for _ in range(8)]
    with futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(nova.post, bodies))
    assert [a.status_code for a in answers] == [200] * 8
    not_requested = nova.post(conftest.vendordata_body(metadata={}))
    assert not_requested.json() == {}
    refused = nova.post(None, data='[1, 2]')
    assert refused.status_code == 400

    if metrics_server.multiproc_dir:
        # Several workers answered some of the concurrent requests.
        files = glob.glob(os.path.join(metrics_server.multiproc_dir,
                                       'histogram_*.db'))
        assert len(files) >= 2, files
    # Any worker answers the scrape; every one must report the same sums.
    for _ in range(4):
        after = _scrape(metrics_server)

        def delta(name, **labels):
            return (prometheus.value(after, name, **labels)
                    - prometheus.value(before, name, **labels))

        assert delta(REQUESTS, decision='created', status=200) == 8
        assert delta(REQUESTS, decision='not-requested', status=200) == 1
        assert delta(REQUESTS, decision='refused', status=400) == 1
        # Each creation is one batch (its name checks and the host_add).
        assert delta(IPA_CALLS, command='batch', outcome='ok') >= 8
        assert delta(SLOT_WAITS, outcome='acquired') >= 8

    text = requests.get(metrics_server.metrics_url,
                        verify=metrics_server.ca_file, timeout=5).text
    for body, answer in zip(bodies, answers):
        assert body['instance-id'] not in text
        assert body['hostname'] not in text
        assert answer.json()['ipaotp'] not in text
    assert prometheus.label_values(after, 'decision') <= {
        'not-requested', 'created', 'repeat', 'enrolled', 'refused', 'error'}


def test_ipa_outage_counts_unavailable_calls_and_503s(metrics_server, ks,
                                                      sim):
    nova = conftest.caller_for(metrics_server, ks, 'nova')
    before = _scrape(metrics_server)
    sim.admin.control(outage='503')
    response = nova.post(conftest.vendordata_body())
    assert response.status_code == 503
    after = _scrape(metrics_server)
    assert (prometheus.value(after, IPA_CALLS, outcome='unavailable')
            - prometheus.value(before, IPA_CALLS, outcome='unavailable')) == 1
    assert (prometheus.value(after, REQUESTS, status=503)
            - prometheus.value(before, REQUESTS, status=503)) == 1
