from keystoneauth1 import exceptions as ks_exceptions
import pytest

from novajoin import exception
from novajoin.hosts import enrollment
from novajoin.openstack import http
from novajoin.openstack import images
from novajoin.openstack import projects
from tests.unit.hosts import conftest
from tests.unit.hosts import fakes

IMAGE_PATH = '/v2/images/%s' % conftest.IMAGE
PROJECT_PATH = 'projects/%s' % conftest.PROJECT
IMAGE_DOCUMENT = {'id': conftest.IMAGE, 'ipa_enroll': 'true',
                  'os_distro': 'rhel', 'os_version': '9.4'}
PROJECT_DOCUMENT = {'project': {'id': conftest.PROJECT, 'name': 'web-team',
                                'domain_id': 'default'}}


def image_lookup(session, clock, ttl=300):
    return images.ImageProperties(session, interface='internal',
                                  region_name='RegionOne', ttl=ttl,
                                  maxsize=16, timer=clock)


def project_lookup(session, clock, ttl=600):
    return projects.ProjectNames(session, interface='internal',
                                 region_name='RegionOne', ttl=ttl,
                                 maxsize=16, timer=clock)


def test_image_properties_come_from_the_catalog_image_endpoint(clock):
    session = fakes.FakeSession(
        {IMAGE_PATH: fakes.FakeResponse(200, IMAGE_DOCUMENT)})
    properties = image_lookup(session, clock).get(conftest.IMAGE, 2.5)
    assert properties == IMAGE_DOCUMENT
    (request,) = session.requests
    assert request['path'] == IMAGE_PATH
    assert request['endpoint_filter'] == {'service_type': 'image',
                                          'interface': 'internal',
                                          'region_name': 'RegionOne'}
    assert request['timeout'] == 2.5
    assert request['raise_exc'] is False


def test_project_name_comes_from_keystone_v3(clock):
    session = fakes.FakeSession(
        {PROJECT_PATH: fakes.FakeResponse(200, PROJECT_DOCUMENT)})
    assert project_lookup(session, clock).get(conftest.PROJECT, 1.0) == (
        projects.Project('web-team', 'default'))
    (request,) = session.requests
    assert request['endpoint_filter']['service_type'] == 'identity'
    assert request['endpoint_filter']['version'] == (3, 0)
    assert request['timeout'] == 1.0


def test_ids_are_quoted_into_one_path_segment(clock):
    session = fakes.FakeSession()
    image_lookup(session, clock).get('../v2/images?x=1', 1.0)
    project_lookup(session, clock).get('a/b c', 1.0)
    assert [r['path'] for r in session.requests] == [
        '/v2/images/..%2Fv2%2Fimages%3Fx%3D1', 'projects/a%2Fb%20c']


@pytest.mark.parametrize('make', [image_lookup, project_lookup])
def test_answers_are_cached_until_the_ttl_expires(clock, make):
    session = fakes.FakeSession({
        IMAGE_PATH: fakes.FakeResponse(200, IMAGE_DOCUMENT),
        PROJECT_PATH: fakes.FakeResponse(200, PROJECT_DOCUMENT)})
    lookup = make(session, clock, ttl=60)
    key = conftest.IMAGE if make is image_lookup else conftest.PROJECT
    first = lookup.get(key, 1.0)
    clock.advance(59)
    assert lookup.get(key, 1.0) == first
    assert len(session.requests) == 1
    clock.advance(1)
    assert lookup.get(key, 1.0) == first
    assert len(session.requests) == 2


def test_cache_is_per_id(clock):
    other = '0' * 32
    session = fakes.FakeSession({
        PROJECT_PATH: fakes.FakeResponse(200, PROJECT_DOCUMENT),
        'projects/%s' % other: fakes.FakeResponse(
            200, {'project': {'name': 'other', 'domain_id': 'd2'}})})
    lookup = project_lookup(session, clock)
    assert lookup.get(conftest.PROJECT, 1.0).name == 'web-team'
    assert lookup.get(other, 1.0) == projects.Project('other', 'd2')
    assert lookup.get(conftest.PROJECT, 1.0).name == 'web-team'
    assert len(session.requests) == 2


def test_ttl_of_zero_disables_the_cache(clock):
    session = fakes.FakeSession(
        {IMAGE_PATH: fakes.FakeResponse(200, IMAGE_DOCUMENT)})
    lookup = image_lookup(session, clock, ttl=0)
    lookup.get(conftest.IMAGE, 1.0)
    lookup.get(conftest.IMAGE, 1.0)
    assert len(session.requests) == 2


def test_not_found_is_none_and_cached(clock):
    session = fakes.FakeSession()
    lookup = image_lookup(session, clock)
    assert lookup.get(conftest.IMAGE, 1.0) is None
    assert lookup.get(conftest.IMAGE, 1.0) is None
    assert len(session.requests) == 1
    assert project_lookup(session, clock).get(conftest.PROJECT, 1.0) is None


def test_failures_are_not_cached(clock):
    session = fakes.FakeSession()
    session.raise_on_get = ks_exceptions.ConnectFailure('refused')
    lookup = image_lookup(session, clock)
    with pytest.raises(http.ServiceUnavailable):
        lookup.get(conftest.IMAGE, 1.0)
    session.raise_on_get = None
    session.responses[IMAGE_PATH] = fakes.FakeResponse(200, IMAGE_DOCUMENT)
    assert lookup.get(conftest.IMAGE, 1.0) == IMAGE_DOCUMENT


@pytest.mark.parametrize('setup, fragment', [
    ({'raise_on_get': ks_exceptions.ConnectFailure('refused')},
     'could not be reached'),
    ({'raise_on_get': ks_exceptions.ConnectTimeout('timed out')},
     'could not be reached'),
    ({'response': fakes.FakeResponse(503, {})}, 'HTTP 503'),
    ({'response': fakes.FakeResponse(401, {})}, 'HTTP 401'),
    ({'response': fakes.FakeResponse(200, text='<html>')}, 'not JSON'),
    ({'response': fakes.FakeResponse(200, ['a list'])}, 'not an object'),
])
@pytest.mark.parametrize('make, path, service', [
    (image_lookup, IMAGE_PATH, 'Glance'),
    (project_lookup, PROJECT_PATH, 'Keystone'),
])
def test_failures_are_service_unavailable_naming_the_service(
        clock, setup, fragment, make, path, service):
    session = fakes.FakeSession()
    session.raise_on_get = setup.get('raise_on_get')
    if 'response' in setup:
        session.responses[path] = setup['response']
    key = conftest.IMAGE if make is image_lookup else conftest.PROJECT
    with pytest.raises(http.ServiceUnavailable) as caught:
        make(session, clock).get(key, 1.0)
    assert service in str(caught.value)
    assert fragment in str(caught.value)


@pytest.mark.parametrize('document', [{}, {'project': None},
                                      {'project': {'name': ''}},
                                      {'project': {'name': 7}}])
def test_project_without_a_name_is_service_unavailable(clock, document):
    session = fakes.FakeSession(
        {PROJECT_PATH: fakes.FakeResponse(200, document)})
    with pytest.raises(http.ServiceUnavailable) as caught:
        project_lookup(session, clock).get(conftest.PROJECT, 1.0)
    assert 'without a project name and domain' in str(caught.value)


# --- through the Enroller: lookups' errors become ours -----------------------

def enroller_with(session, clock, ipa, otp_key, **kwargs):
    return enrollment.Enroller(
        ipa=ipa, otp_key=otp_key,
        image_properties=image_lookup(session, clock),
        project_names=project_lookup(session, clock), clock=clock, **kwargs)


def test_glance_outage_through_the_enroller_is_enrollment_unavailable(
        clock, ipa, otp_key):
    session = fakes.FakeSession()
    session.raise_on_get = ks_exceptions.ConnectFailure('refused')
    enroller = enroller_with(session, clock, ipa, otp_key)
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        enroller.enroll(conftest.make_request(metadata={}),
                        deadline=clock() + 5)
    assert caught.value.message == 'Glance is unavailable'
    assert session.requests[0]['timeout'] == 5
    assert ipa.calls == []


def test_keystone_answering_500_through_the_enroller_is_unavailable(
        clock, ipa, otp_key):
    session = fakes.FakeSession({
        IMAGE_PATH: fakes.FakeResponse(200, IMAGE_DOCUMENT),
        PROJECT_PATH: fakes.FakeResponse(500, {})})
    enroller = enroller_with(session, clock, ipa, otp_key,
                             project_subdomain=True)
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        enroller.enroll(conftest.make_request(metadata={}),
                        deadline=clock() + 5)
    assert caught.value.message == 'Keystone is unavailable'
    assert ipa.calls == []


def test_enroller_uses_real_lookups_and_their_cache(clock, ipa, otp_key):
    session = fakes.FakeSession({
        IMAGE_PATH: fakes.FakeResponse(200, IMAGE_DOCUMENT),
        PROJECT_PATH: fakes.FakeResponse(200, PROJECT_DOCUMENT)})
    enroller = enroller_with(session, clock, ipa, otp_key,
                             project_subdomain=True)
    for _ in range(2):
        result = enroller.enroll(conftest.make_request(metadata={}),
                                 deadline=clock() + 5)
    assert result.body['hostname'] == 'web1.web-team.example.test'
    assert ipa.hosts[result.fqdn]['nsosversion'] == 'rhel 9.4'
    assert [r['path'] for r in session.requests] == [IMAGE_PATH,
                                                     PROJECT_PATH]
