"""The enrollment API as nova calls it: real Keystone tokens, the IPA
simulator over TLS, the API as a real process over TLS (both runners)."""

from concurrent import futures
import json
import uuid

import pytest
import requests

from novajoin.hosts import ownership
from tests.fixtures import novajoin_server
from tests.functional.api import conftest


def _our_error(response, status):
    """An error answered as JSON with the request id, never a traceback."""
    assert response.status_code == status, response.text
    assert response.headers['Content-Type'].startswith('application/json')
    assert response.headers['X-OpenStack-Request-ID'].startswith('req-')
    error = response.json()['error']
    assert error['message']
    assert error['request_id'] == response.headers['X-OpenStack-Request-ID']
    assert 'Traceback' not in response.text
    return error


def _writes(stats):
    # A batch is counted as itself and as each sub-call ("batch:host_show").
    # A request the cache cannot answer sends its host_add in the batch of
    # its checks; on an existing entry it fails and changes nothing (the
    # tests compare the entry).
    return {name: count for name, count in stats['calls'].items()
            if not name.endswith(('_show', '_find'))
            and name not in ('ping', 'batch', 'batch:host_add')}


# --- authentication and policy -------------------------------------------

def test_request_without_token_is_401(novajoin, ks, sim):
    response = conftest.caller_for(novajoin, ks).post(
        conftest.vendordata_body())
    _our_error(response, 401)
    assert response.headers['WWW-Authenticate'].startswith('Keystone uri=')
    assert sim.admin.hosts() == []


@pytest.mark.parametrize('token', ['not-a-token', 'gAAAAAB' + 'x' * 180])
def test_request_with_invalid_token_is_401(novajoin, ks, sim, token):
    response = conftest.caller_for(novajoin, ks).post(
        conftest.vendordata_body(), headers={'X-Auth-Token': token})
    _our_error(response, 401)
    assert sim.admin.hosts() == []


def test_request_with_revoked_token_is_401(novajoin, ks, sim):
    token = ks.token_for('nova')
    ks.revoke_token(token)
    response = conftest.caller_for(novajoin, ks).post(
        conftest.vendordata_body(), headers={'X-Auth-Token': token})
    _our_error(response, 401)
    assert sim.admin.hosts() == []


def test_ordinary_user_token_is_403(novajoin, ks, sim):
    response = conftest.caller_for(novajoin, ks, 'demo').post(
        conftest.vendordata_body())
    assert 'join:create' in _our_error(response, 403)['message']
    assert sim.admin.hosts() == []


@pytest.mark.parametrize('user', ['nova', 'service_role'])
def test_nova_service_user_and_service_role_may_enroll(
        novajoin, ks, sim, user):
    body = conftest.vendordata_body()
    response = conftest.caller_for(novajoin, ks, user).post(body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer['hostname'] == '%s.%s' % (body['hostname'], sim.domain)
    assert answer['krb_realm'] == sim.realm
    assert len(answer['ipaotp']) >= 22


def test_versions_and_healthcheck_need_no_token(novajoin):
    versions = requests.get(novajoin.url + '/', verify=novajoin.ca_file,
                            timeout=5)
    assert versions.status_code == 200
    assert versions.json()['versions'][0]['id'] == 'v1'
    health = requests.get(novajoin.url + '/healthcheck',
                          verify=novajoin.ca_file, timeout=5)
    assert health.status_code == 200


def test_get_on_v1_is_405_with_allow(novajoin, ks):
    session = ks.session_for('nova')
    response = session.get(novajoin.url + '/v1', raise_exc=False,
                           verify=novajoin.ca_file)
    _our_error(response, 405)
    assert response.headers['Allow'] == 'POST'


# --- enrollment ----------------------------------------------------------

@pytest.mark.parametrize('path', ['/v1', '/v1/'])
def test_requested_enrollment_creates_host_that_can_join(nova, sim, path):
    body = conftest.vendordata_body(metadata={'ipa_enroll': 'TRUE'})
    response = nova.post(body, path=path)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {'hostname', 'krb_realm', 'ipaotp'}
    (host,) = sim.admin.hosts()
    assert host['fqdn'] == [answer['hostname']]
    assert body['instance-id'] in json.dumps(host['description'])
    sim.admin.join(answer['hostname'], answer['ipaotp'])


@pytest.mark.parametrize('metadata', [{}, {'ipa_enroll': 'false'},
                                      {'ipa_enroll': 'yes'}])
def test_not_requested_answers_empty_without_ipa_call(nova, sim, metadata):
    sim.admin.reset_stats()
    response = nova.post(conftest.vendordata_body(metadata=metadata))
    assert response.status_code == 200, response.text
    assert response.json() == {}
    assert sim.admin.stats()['calls'] == {}


def _image(standin, **properties):
    image_id = str(uuid.uuid4())
    standin.set_image(image_id, properties)
    return image_id


@pytest.mark.parametrize('flag', ['true', 'True'])
def test_image_property_requests_enrollment_with_os_version(
        nova, sim, standin, flag):
    image_id = _image(standin, ipa_enroll=flag, os_distro='rhel',
                      os_version='9.4')
    response = nova.post(conftest.vendordata_body(metadata={},
                                                  image_id=image_id))
    assert response.status_code == 200, response.text
    assert response.json()['ipaotp']
    (host,) = sim.admin.hosts()
    assert 'rhel 9.4' in json.dumps(host.get('nsosversion'))


@pytest.mark.parametrize('properties', [{}, {'ipa_enroll': 'false'}, None])
def test_image_without_request_or_unknown_answers_empty(
        nova, sim, standin, properties):
    image_id = (str(uuid.uuid4()) if properties is None
                else _image(standin, **properties))
    sim.admin.reset_stats()
    response = nova.post(conftest.vendordata_body(metadata={},
                                                  image_id=image_id))
    assert response.status_code == 200, response.text
    assert response.json() == {}
    assert sim.admin.stats()['calls'] == {}


def test_instance_metadata_false_does_not_override_image_request(
        nova, sim, standin):
    image_id = _image(standin, ipa_enroll='true')
    response = nova.post(conftest.vendordata_body(
        metadata={'ipa_enroll': 'false'}, image_id=image_id))
    assert response.status_code == 200, response.text
    assert 'ipaotp' in response.json()


def test_glance_down_is_503_when_the_image_decides(nova, sim, standin):
    image_id = _image(standin, ipa_enroll='true')
    standin.set_down(True)
    try:
        response = nova.post(conftest.vendordata_body(metadata={},
                                                      image_id=image_id))
        _our_error(response, 503)
        assert int(response.headers['Retry-After']) >= 1
        # The instance's own request does not need Glance.
        enrolled = nova.post(conftest.vendordata_body(image_id=image_id))
        assert enrolled.status_code == 200, enrolled.text
        assert enrolled.json()['ipaotp']
    finally:
        standin.set_down(False)
    assert len(sim.admin.hosts()) == 1


def test_repeat_request_returns_same_otp_then_no_usable_one(nova, sim):
    body = conftest.vendordata_body()
    first = nova.post(body).json()
    sim.admin.reset_stats()
    again = [nova.post(body).json() for _ in range(3)]
    assert all(answer == first for answer in again)
    assert _writes(sim.admin.stats()) == {}
    sim.admin.join(first['hostname'], first['ipaotp'])
    enrolled = nova.post(body)
    assert enrolled.status_code == 200
    # From IPA (a process that has not cached the boot): no OTP. From the
    # cache, until the boot's entry expires: the OTP just used, which IPA
    # refuses.
    assert enrolled.json() in ({'hostname': first['hostname'],
                                'krb_realm': first['krb_realm']}, first)
    assert sim.admin.try_join(first['hostname'], first['ipaotp'])[0] in (
        403, 409)
    assert _writes(sim.admin.stats()) == {}


def test_concurrent_requests_of_one_boot_agree_on_one_otp(nova, sim):
    # nova building a config drive, cloud-init and a reboot racing.
    body = conftest.vendordata_body()
    with futures.ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: nova.post(body), range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.json()['ipaotp'] for a in answers}) == 1
    (host,) = sim.admin.hosts()
    sim.admin.join(answers[0].json()['hostname'], answers[0].json()['ipaotp'])


def test_many_instances_booting_at_once_all_get_their_host(nova, sim):
    bodies = [conftest.vendordata_body() for _ in range(30)]
    with futures.ThreadPoolExecutor(max_workers=15) as pool:
        answers = list(pool.map(nova.post, bodies))
    assert [a.status_code for a in answers] == [200] * 30
    hosts = {h['fqdn'][0] for h in sim.admin.hosts()}
    assert hosts == {a.json()['hostname'] for a in answers}


def test_same_otp_from_two_server_processes(novajoin, nova, ks, ipa,
                                            otp_key_file, test_ca, sim,
                                            tmp_path):
    body = conftest.vendordata_body()
    first = nova.post(body).json()
    sections = conftest.server_sections(ks, ipa, otp_key_file)
    with novajoin_server.run_novajoin_server(
            tmp_path, test_ca, sections, runner=novajoin.runner,
            name='replica') as replica:
        second = conftest.caller_for(replica, ks, 'nova').post(body)
    assert second.status_code == 200, second.text
    assert second.json() == first
    sim.admin.join(first['hostname'], first['ipaotp'])


def test_hostclass_allowed_for_project_sets_userclass(nova, ks, sim):
    body = conftest.vendordata_body(
        metadata={'ipa_enroll': 'true', 'ipa_hostclass': 'webserver',
                  'ipa_host_location': 'rack 7'},
        project_id=ks.users['nova'].project_id)
    response = nova.post(body)
    assert response.status_code == 200, response.text
    (host,) = sim.admin.hosts()
    assert 'webserver' in json.dumps(host.get('userclass'))
    assert 'rack 7' in json.dumps(host.get('nshostlocation'))


def test_hostclass_not_allowed_for_project_is_403(nova, ks, sim):
    body = conftest.vendordata_body(
        metadata={'ipa_enroll': 'true', 'ipa_hostclass': 'webserver'},
        project_id=ks.users['demo'].project_id)
    error = _our_error(nova.post(body), 403)
    assert 'webserver' in error['message']
    assert sim.admin.hosts() == []


# --- hijack attempts: the entry is never modified --------------------------

def test_name_of_another_instance_is_403_and_untouched(nova, sim):
    owner = conftest.vendordata_body(hostname='shared')
    assert nova.post(owner).status_code == 200
    before = sim.admin.hosts()
    sim.admin.reset_stats()
    thief = conftest.vendordata_body(hostname='shared')
    error = _our_error(nova.post(thief), 403)
    assert 'another instance' in error['message']
    assert sim.admin.hosts() == before
    assert _writes(sim.admin.stats()) == {}


@pytest.mark.parametrize('seed', [
    {'description': 'database server, added by hand'},
    {'enrolled': True},
    {'ipa_master': True, 'enrolled': True},
])
def test_name_of_entry_not_made_by_novajoin_is_403_and_untouched(nova, sim,
                                                                 seed):
    fqdn = 'victim.%s' % sim.domain
    sim.admin.seed_host(fqdn, **seed)
    before = sim.admin.hosts()
    sim.admin.reset_stats()
    error = _our_error(nova.post(conftest.vendordata_body(hostname='victim')),
                       403)
    assert 'not created by novajoin' in error['message']
    assert sim.admin.hosts() == before
    assert _writes(sim.admin.stats()) == {}


# --- bad input -------------------------------------------------------------

@pytest.mark.parametrize('data,status,fragment', [
    ('not json', 400, 'not JSON'),
    ('[]', 400, 'must be of type object'),
    (json.dumps({'instance-id': str(uuid.uuid4())}), 400, "'hostname'"),
    (json.dumps({'hostname': 'vm1'}), 400, "'instance-id'"),
    (json.dumps(conftest.vendordata_body(metadata={'ipa_enroll': True})),
     400, 'must be of type string'),
    (json.dumps(conftest.vendordata_body(hostname='bad_name!')), 400,
     'bad_name!'),
    (json.dumps(conftest.vendordata_body(hostname='x' * 64)), 400, '63'),
    (json.dumps(dict(conftest.vendordata_body(),
                     **{'user-data': 'A' * 70000})), 413, 'larger than'),
])
def test_bad_input_is_refused_without_ipa_write(nova, sim, data, status,
                                                fragment):
    sim.admin.reset_stats()
    error = _our_error(nova.post(None, data=data), status)
    assert fragment in error['message']
    assert _writes(sim.admin.stats()) == {}
    assert sim.admin.hosts() == []


# --- IPA outage ------------------------------------------------------------

@pytest.mark.parametrize('outage', ['refuse', '503'])
def test_ipa_outage_is_503_with_retry_after_inside_nova_timeout(nova, sim,
                                                                outage):
    sim.admin.control(outage=outage)
    # nova's (5, 5) timeouts: a slower answer raises instead of returning.
    response = nova.post(conftest.vendordata_body())
    _our_error(response, 503)
    assert int(response.headers['Retry-After']) >= 1


def test_slow_ipa_is_503_inside_nova_timeout(nova, sim):
    sim.admin.control(latency_ms=8000)
    response = nova.post(conftest.vendordata_body())
    _our_error(response, 503)
    assert int(response.headers['Retry-After']) >= 1


def test_project_subdomain_puts_the_host_under_the_project_name(
        novajoin, ks, ipa, otp_key_file, test_ca, sim, tmp_path):
    sections = conftest.server_sections(ks, ipa, otp_key_file)
    sections['DEFAULT'].update(project_subdomain=True)
    body = conftest.vendordata_body(
        hostname='app1', project_id=ks.users['demo'].project_id)
    with novajoin_server.run_novajoin_server(
            tmp_path, test_ca, sections, runner=novajoin.runner,
            name='subdomains') as server:
        response = conftest.caller_for(server, ks, 'nova').post(body)
    assert response.status_code == 200, response.text
    assert response.json()['hostname'] == 'app1.demo.%s' % ipa.domain
    # Only this instance's hosts: a request an earlier test timed out on
    # may still finish on the shared server after the simulator's reset.
    mine = [host['fqdn'][0] for host in sim.admin.hosts()
            if getattr(ownership.owner_of(host), 'instance_id', None)
            == body['instance-id']]
    assert mine == ['app1.demo.%s' % ipa.domain]
