"""The API's paste pipeline in-process, with a fake enroller."""

import os
import types

import pytest

from novajoin.api import deploy
from novajoin.policies import enforcer as policy

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
PASTE_FILE = os.path.join(REPO, 'etc', 'novajoin', 'join-api-paste.ini')

INSTANCE_ID = '6e1e4b7a-4c1e-4f7e-9a57-3c2b1d0e9f11'


def enrollment_result(decision='created', body=None, fqdn='vm1.example.test',
                      ipa_calls=2):
    if body is None:
        body = {'hostname': fqdn, 'krb_realm': 'EXAMPLE.TEST',
                'ipaotp': 'secret-otp-value'}
    return types.SimpleNamespace(decision=decision, body=body, fqdn=fqdn,
                                 ipa_calls=ipa_calls)


class FakeEnroller(object):
    """Records requests; answers with ``outcome`` (a result or an error)."""

    def __init__(self):
        self.outcome = enrollment_result()
        self.calls = []

    def enroll(self, request, deadline):
        self.calls.append((request, deadline))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.fixture
def conf():
    conf = deploy.load_conf([], default_config_files=[])
    conf.set_override('api_paste_config', PASTE_FILE)
    conf.set_override('auth_strategy', 'noauth')
    return conf


@pytest.fixture
def enroller():
    return FakeEnroller()


@pytest.fixture
def app(conf, enroller):
    services = deploy.APIServices(conf, policy.build_enforcer(conf),
                                  enroller)
    return deploy.load_app(conf, services=services)


def vendordata_body(**overrides):
    body = {
        'project-id': 'a3c5d8e0f1b24c6d8e0f1a2b3c4d5e6f',
        'instance-id': INSTANCE_ID,
        'image-id': '0d5e7c3a-1b2c-4d5e-8f9a-0b1c2d3e4f5a',
        'user-data': None,
        'hostname': 'vm1',
        'metadata': {'ipa_enroll': 'True'},
        'boot-roles': 'member,reader',
    }
    body.update(overrides)
    return body
