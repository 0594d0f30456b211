"""One IPA simulator shared by novajoin's API (booting instances as nova
asks for vendordata, with real Keystone tokens and boot-roles) and
``novajoin-notify`` on a private RabbitMQ vhost (deleting and updating them
as nova notifies).
"""

import uuid

from novajoin.ipa import client as ipa_client
import pytest

from tests.fixtures import novajoin_server
from tests.functional.api import conftest as api
from tests.functional.ipa import conftest as ipa_conftest
from tests.functional.notify import conftest as notify

# The listener suite's session fixtures: the simulator, RabbitMQ and a
# private vhost.
ipasim = notify.ipasim
rabbitmq = notify.rabbitmq
vhost = notify.vhost

IPA_SERVER = 'ipa1.example.test'
# Users who boot instances: a tenant, and an operator holding the role
# the default [services] managed_service_roles names.
TENANT = 'demo'
OPERATOR = 'overcloud-admin'


@pytest.fixture(scope='session')
def operator(ks):
    return ks.create_user('%s-%s' % (OPERATOR, uuid.uuid4().hex[:6]),
                          'overcloud', ('admin', 'member'))


@pytest.fixture(scope='session')
def api_server(tmp_path_factory, test_ca, ks, ipasim, standin):
    otp_key = tmp_path_factory.mktemp('otpkey') / 'otp.key'
    otp_key.write_text(uuid.uuid4().hex * 2)
    otp_key.chmod(0o400)
    sections = api.server_sections(ks, ipasim, str(otp_key))
    with novajoin_server.run_novajoin_server(
            tmp_path_factory.mktemp('api'), test_ca, sections) as server:
        yield server


@pytest.fixture
def sim(ipasim):
    ipasim.admin.reset()
    ipasim.admin.add_master(IPA_SERVER)
    return ipasim


@pytest.fixture
def nova(api_server, ks):
    return api.caller_for(api_server, ks, 'nova')


@pytest.fixture
def listener_env(tmp_path, vhost, ks, ipasim, standin):
    environment = notify.Env(tmp_path, vhost, ks, ipasim, standin)
    try:
        yield environment
    finally:
        environment.stop()


@pytest.fixture
def ipa_reader(ipasim, tmp_path):
    """novajoin's own IPA client on the simulator, to look at services."""
    conf = ipa_conftest.load_conf(
        str(tmp_path / 'reader.conf'),
        ['%s:%d' % (ipasim.server_name, ipasim.port)], ipasim.ca_file,
        ipasim.realm, ipasim.domain, auth_method='password', user='admin',
        password=ipasim.admin_password)
    client = ipa_client.IPAClient.from_conf(conf)
    yield client
    client.close()


def boot_roles(ks, user_name):
    """What nova sends as boot-roles: the booting user's token roles."""
    token = ks.validate_token(ks.token_for(user_name))
    return ','.join(role['name'] for role in token['roles'])


def boot_body(ks, user_name, metadata, hostname=None):
    """A vendordata request for an instance ``user_name`` boots."""
    user = ks.users[user_name]
    body = api.vendordata_body(hostname=hostname,
                               metadata=dict(metadata, ipa_enroll='true'),
                               project_id=user.project_id)
    body['boot-roles'] = boot_roles(ks, user_name)
    return body
