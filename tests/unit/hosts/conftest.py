import os

import pytest

from novajoin.hosts import enrollment
from novajoin.hosts import otp
from novajoin.openstack import projects as openstack_projects
from tests.unit.hosts import fakes

INSTANCE = '3f0b0e5e-6c54-4b7a-9a61-0b8f1c7d2a10'
OTHER_INSTANCE = '9d2c4a8e-1b3f-4e5d-8c7a-6f5e4d3c2b1a'
PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
IMAGE = '5b7c9d1e-2f3a-4b5c-9d7e-8f9a0b1c2d3e'
BUDGET = 5.0


@pytest.fixture
def key_bytes():
    return os.urandom(32)


@pytest.fixture
def otp_key(key_bytes):
    return otp.OTPKey(key_bytes)


@pytest.fixture
def clock():
    return fakes.FakeClock()


@pytest.fixture
def ipa():
    return fakes.FakeIPA()


@pytest.fixture
def images():
    return fakes.FakeImages({IMAGE: {'id': IMAGE, 'os_distro': 'fedora',
                                     'os_version': '43'}})


@pytest.fixture
def projects():
    return fakes.FakeProjects(
        {PROJECT: openstack_projects.Project('web-team', 'default')})


@pytest.fixture
def make_enroller(ipa, otp_key, images, projects, clock):
    def make(**overrides):
        arguments = dict(ipa=ipa, otp_key=otp_key, image_properties=images,
                         project_names=projects, clock=clock,
                         min_call_time=0.25, retry_after=5)
        arguments.update(overrides)
        return enrollment.Enroller(**arguments)
    return make


@pytest.fixture
def enroller(make_enroller):
    return make_enroller()


def make_request(metadata=None, hostname='web1', instance_id=INSTANCE,
                 image_id=IMAGE, project_id=PROJECT):
    if metadata is None:
        metadata = {'ipa_enroll': 'true'}
    return enrollment.VendordataRequest(
        project_id=project_id, instance_id=instance_id, image_id=image_id,
        hostname=hostname, metadata=metadata, boot_roles=['member'])


@pytest.fixture
def enroll(enroller, clock):
    def run(request=None, enroller=enroller):
        return enroller.enroll(request or make_request(),
                               deadline=clock() + BUDGET)
    return run
