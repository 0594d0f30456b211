"""A real Keystone, the IPA simulator and novajoin's API over TLS.

The ``novajoin`` fixture is parametrized over the two ways the API is
served (``novajoin-server`` and uWSGI), so every test in this directory
runs against both.
"""

import json
import os
import secrets
import uuid

from keystoneauth1 import session as ks_session
import pytest

from tests.fixtures import ipasim
from tests.fixtures import novajoin_server

# What nova's DynamicJSON provider sends (nova/api/metadata/
# vendordata_dynamic.py).
NOVA_HEADERS = {'Content-Type': 'application/json',
                'Accept': 'application/json',
                'User-Agent': 'openstack-nova-vendordata'}
NOVA_TIMEOUT = (5, 5)
SHARED_KEYSTONE_TIMEOUT = 30


@pytest.fixture(scope='session')
def ipa(tmp_path_factory, test_ca):
    with ipasim.run_ipasim(tmp_path_factory.mktemp('ipasim'),
                           test_ca) as sim:
        yield sim


@pytest.fixture(scope='session')
def otp_key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp('otpkey') / 'otp.key'
    path.write_text(secrets.token_urlsafe(48))
    os.chmod(path, 0o400)
    return str(path)


def server_sections(ks, ipa, otp_key_file):
    authtoken = ks.service_credentials_conf()
    authtoken.pop('region_name')
    authtoken.pop('interface')
    authtoken['www_authenticate_uri'] = ks.auth_url
    # The one shared test Keystone (sqlite, one process) validates in up
    # to several seconds on a loaded machine; the default bound is tested
    # with a Keystone of its own (test_keystone_outage.py).
    authtoken['http_connect_timeout'] = SHARED_KEYSTONE_TIMEOUT
    return {
        'DEFAULT': {'auth_strategy': 'keystone'},
        'keystone_authtoken': authtoken,
        'service_credentials': ks.service_credentials_conf(),
        'ipa': {'servers': 'localhost:%d' % ipa.port,
                'ca_file': ipa.ca_file,
                'realm': ipa.realm, 'domain': ipa.domain,
                'auth_method': 'password', 'user': 'admin',
                'password': ipa.admin_password,
                'connect_retries': 1},
        'enrollment': {'otp_key_file': otp_key_file},
        'service': {'allowed_classes': 'web*'},
    }


@pytest.fixture(scope='session', params=novajoin_server.RUNNERS)
def novajoin(request, tmp_path_factory, test_ca, ks, ipa, otp_key_file,
             standin):
    workdir = tmp_path_factory.mktemp(request.param)
    with novajoin_server.run_novajoin_server(
            workdir, test_ca, server_sections(ks, ipa, otp_key_file),
            runner=request.param) as server:
        yield server


@pytest.fixture
def sim(ipa):
    """The simulator with no hosts and normal service for this test."""
    ipa.admin.reset()
    yield ipa
    ipa.admin.control(outage='none', latency_ms=0)


class NovaCaller(object):
    """POST a vendordata request the way nova's metadata service does."""

    def __init__(self, server, session):
        self.server = server
        self.session = session

    def post(self, body, path='/v1', data=None, headers=None):
        all_headers = dict(NOVA_HEADERS)
        all_headers.update(headers or {})
        payload = data if data is not None else json.dumps(body)
        return self.session.request(
            self.server.url + path, 'POST', headers=all_headers,
            data=payload, timeout=NOVA_TIMEOUT, raise_exc=False,
            verify=self.server.ca_file)


def caller_for(server, ks, user_name=None):
    """Session as ``user_name`` (Keystone password auth), or no token."""
    if user_name is None:
        session = ks_session.Session(verify=server.ca_file)
    else:
        session = ks.session_for(user_name)
    return NovaCaller(server, session)


@pytest.fixture
def nova(novajoin, ks):
    """nova's caller, its token already validated by the API's workers.

    nova keeps its token for hours, so novajoin validates it once per
    worker, not at every boot. Without this, a test's concurrent first
    requests each wait for the shared test Keystone, and the request
    budget, which counts from arrival, runs out.
    """
    caller = caller_for(novajoin, ks, 'nova')
    for _ in range(4):
        caller.post(vendordata_body(metadata={}))
    return caller


def vendordata_body(hostname=None, instance_id=None, metadata=None,
                    project_id='', image_id=''):
    return {
        'project-id': project_id,
        'instance-id': instance_id or str(uuid.uuid4()),
        'image-id': image_id,
        'user-data': None,
        'hostname': hostname or 'vm-%s' % uuid.uuid4().hex[:8],
        'metadata': ({'ipa_enroll': 'true'} if metadata is None
                     else metadata),
        'boot-roles': 'member,reader',
    }
