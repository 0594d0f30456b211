"""The vendordata handler's hook: services after the host, never instead."""

import json
import logging

import webob

from novajoin.api import deploy
from novajoin.policies import enforcer as policy
from novajoin.services import manager
from novajoin.services import rules as service_rules
from tests.unit.api import conftest as api
from tests.unit.services import inprocess_ipa


def post(app, body):
    request = webob.Request.blank('/v1', method='POST',
                                  body=json.dumps(body).encode(),
                                  content_type='application/json')
    return request.get_response(app)


def make_app(ipa, enroller, **tls_options):
    conf = deploy.load_conf([], default_config_files=[])
    conf.set_override('api_paste_config', api.PASTE_FILE)
    conf.set_override('auth_strategy', 'noauth')
    enforcer = policy.build_enforcer(conf)
    tls = manager.TLSServices(ipa.client, enforcer,
                              service_rules.Rules('example.test'),
                              **tls_options)
    return deploy.load_app(conf, deploy.APIServices(conf, enforcer,
                                                    enroller, tls))


def test_services_follow_the_host_and_count_in_the_request_line(caplog):
    ipa = inprocess_ipa.InProcessIPA()
    ipa.seed_host('vm1.example.test', api.INSTANCE_ID)
    enroller = api.FakeEnroller()
    caplog.set_level(logging.INFO)
    response = post(make_app(ipa, enroller), api.vendordata_body(metadata={
        'ipa_enroll': 'true', 'compact_service_HTTP': '["internalapi"]'}))
    assert response.status_int == 200
    assert response.json_body == enroller.outcome.body
    assert ipa.principals() == ['HTTP/vm1.internalapi.example.test']
    # 2 for the (fake) host, 2 for its services.
    assert 'ipa_calls=4' in caplog.text


def test_broken_services_metadata_keeps_the_otp_answer():
    ipa = inprocess_ipa.InProcessIPA()
    enroller = api.FakeEnroller()
    response = post(make_app(ipa, enroller), api.vendordata_body(metadata={
        'ipa_enroll': 'true', 'compact_service_HTTP': '{"oops"',
        'managed_service_x': 'HTTP/ipa.example.test'}))
    assert response.status_int == 200
    assert response.json_body['ipaotp'] == 'secret-otp-value'


def test_not_requested_enrollment_runs_no_services():
    ipa = inprocess_ipa.InProcessIPA()
    enroller = api.FakeEnroller()
    enroller.outcome = api.enrollment_result('not-requested', {}, fqdn=None)
    response = post(make_app(ipa, enroller), api.vendordata_body(metadata={
        'compact_service_HTTP': '["internalapi"]'}))
    assert response.json_body == {}
    assert ipa.round_trips() == 0


def test_boot_roles_decide_only_when_the_request_created_the_host(caplog):
    ipa = inprocess_ipa.InProcessIPA()
    ipa.seed_host('vm1.example.test', api.INSTANCE_ID)
    enroller = api.FakeEnroller()
    app = make_app(ipa, enroller, allowed_roles=['admin'])
    body = api.vendordata_body(metadata={
        'ipa_enroll': 'true',
        'managed_service_x': 'HTTP/vip.example.test'})
    body['boot-roles'] = 'admin,member'
    for decision in ('repeat', 'enrolled'):
        enroller.outcome = api.enrollment_result(decision)
        assert post(app, body).status_int == 200
        assert ipa.principals() == []
    assert "added after the instance's first vendordata" in caplog.text
    enroller.outcome = api.enrollment_result('created')
    assert post(app, body).status_int == 200
    assert ipa.principals() == ['HTTP/vip.example.test']
