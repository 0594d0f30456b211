import copy
import json

import pytest

from novajoin import exception
from novajoin.hosts import enrollment
from novajoin.hosts import otp
from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors
from novajoin.openstack.projects import Project as project_record
from tests.unit.hosts import conftest
from tests.unit.hosts.conftest import make_request

FQDN = 'web1.example.test'
LEGACY_DESCRIPTION = json.dumps(
    {'novajoin_metadata': {'nova_instance_id': conftest.INSTANCE}})


def description_of(ipa, fqdn=FQDN):
    return ownership.parse_description(ipa.hosts[fqdn]['description'])


def on_first(ipa, command, action):
    """Run ``action`` once, just before the first ``command`` reaches IPA."""
    pending = [True]

    def hook(name, fqdn):
        if name == command and pending:
            pending.pop()
            action()
    ipa.before_call = hook


# --- is enrollment requested? -----------------------------------------------

@pytest.mark.parametrize('flag', ['true', 'True', 'TRUE'])
def test_instance_metadata_requests_enrollment(enroll, ipa, flag):
    result = enroll(make_request(metadata={'ipa_enroll': flag}))
    assert result.decision == enrollment.CREATED
    assert set(result.body) == {'hostname', 'krb_realm', 'ipaotp'}
    assert result.body['hostname'] == FQDN
    assert result.body['krb_realm'] == 'EXAMPLE.TEST'
    # One round trip: the name checks, the entry, the instance's other
    # hosts and the add, in one batch.
    assert ipa.commands() == ['batch']
    assert ipa.batched_commands() == ['server_find', 'dnsrecord_show',
                                      'dnszone_show', 'host_show',
                                      'host_find', 'host_add']
    # The answer is what IPA accepts for ipa-join.
    ipa.enroll_with(FQDN, result.body['ipaotp'])


@pytest.mark.parametrize('metadata', [{}, {'ipa_enroll': 'false'},
                                      {'ipa_enroll': 'yes'},
                                      {'ipa_enroll': ''}])
def test_not_requested_answers_empty_without_ipa_call(enroll, ipa, images,
                                                      metadata):
    result = enroll(make_request(metadata=metadata))
    assert result.decision == enrollment.NOT_REQUESTED
    assert result.body == {}
    assert ipa.calls == []
    # The image was asked whether it requests enrollment.
    assert [image for image, _ in images.lookups] == [conftest.IMAGE]


def test_without_image_and_request_glance_is_not_asked(enroll, ipa, images):
    result = enroll(make_request(metadata={}, image_id=None))
    assert result.decision == enrollment.NOT_REQUESTED
    assert images.lookups == [] and ipa.calls == []


@pytest.mark.parametrize('flag', ['true', 'True'])
def test_image_property_requests_enrollment_with_os_version(enroll, ipa,
                                                            images, flag):
    images.images[conftest.IMAGE]['ipa_enroll'] = flag
    result = enroll(make_request(metadata={}))
    assert result.decision == enrollment.CREATED
    assert ipa.hosts[FQDN]['nsosversion'] == 'fedora 43'


def test_instance_metadata_false_does_not_override_image_request(enroll,
                                                                 images):
    # As tests/functional/api/test_vendordata.py expects: only "true" in
    # either place counts, the image's request stands.
    images.images[conftest.IMAGE]['ipa_enroll'] = 'true'
    result = enroll(make_request(metadata={'ipa_enroll': 'false'}))
    assert result.decision == enrollment.CREATED


def test_glance_down_is_unavailable_when_the_image_decides(enroll, ipa,
                                                           images):
    images.fail = True
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        enroll(make_request(metadata={}))
    assert caught.value.retry_after == 5
    assert 'Glance' in caught.value.message
    assert ipa.calls == []


def test_glance_down_does_not_stop_a_requested_enrollment(enroll, ipa,
                                                          images):
    images.fail = True
    result = enroll()
    assert result.decision == enrollment.CREATED
    assert 'nsosversion' not in ipa.hosts[FQDN]


def test_image_unknown_to_glance_contributes_nothing(enroll, ipa):
    assert enroll(make_request(metadata={}, image_id='gone')).body == {}
    result = enroll(make_request(image_id='gone'))
    assert result.decision == enrollment.CREATED
    assert 'nsosversion' not in ipa.hosts[FQDN]


@pytest.mark.parametrize('properties, expected', [
    ({'os_distro': 'rhel'}, 'rhel'),
    ({'os_version': '9.4'}, '9.4'),
    ({'os_distro': '', 'os_version': None}, None),
    ({}, None),
])
def test_os_version_from_image_properties(enroll, ipa, images, properties,
                                          expected):
    images.images[conftest.IMAGE] = dict(properties, id=conftest.IMAGE)
    enroll()
    assert ipa.hosts[FQDN].get('nsosversion') == expected


# --- host class, location, names --------------------------------------------

@pytest.mark.parametrize('patterns', [['webserver'], ['db', 'web*'], ['*']])
def test_allowed_hostclass_becomes_userclass(make_enroller, enroll, ipa,
                                             projects, patterns):
    enroller = make_enroller(allowed_classes={'web-team': patterns})
    request = make_request(metadata={'ipa_enroll': 'true',
                                     'ipa_hostclass': 'webserver'})
    result = enroll(request, enroller=enroller)
    assert result.decision == enrollment.CREATED
    assert ipa.hosts[FQDN]['userclass'] == 'webserver'
    assert [p for p, _ in projects.lookups] == [conftest.PROJECT]


@pytest.mark.parametrize('allowed', [{}, {'web-team': []},
                                     {'web-team': ['db*', 'Webserver']},
                                     {'other-team': ['*']}])
def test_hostclass_not_allowed_is_refused_before_ipa(make_enroller, enroll,
                                                     ipa, allowed):
    request = make_request(metadata={'ipa_enroll': 'true',
                                     'ipa_hostclass': 'webserver'})
    with pytest.raises(exception.HostClassNotAllowed) as caught:
        enroll(request, enroller=make_enroller(allowed_classes=allowed))
    assert caught.value.decision == 'refused'
    assert 'webserver' in caught.value.message
    assert ipa.calls == []


def test_hostclass_needs_a_project_keystone_knows(make_enroller, enroll,
                                                  ipa, projects):
    enroller = make_enroller(allowed_classes={'web-team': ['*']})
    metadata = {'ipa_enroll': 'true', 'ipa_hostclass': 'web'}
    with pytest.raises(exception.InvalidRequest):
        enroll(make_request(metadata=metadata, project_id='unknown'),
               enroller=enroller)
    with pytest.raises(exception.InvalidRequest):
        enroll(make_request(metadata=metadata, project_id=''),
               enroller=enroller)
    projects.fail = True
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        enroll(make_request(metadata=metadata), enroller=enroller)
    assert 'Keystone' in caught.value.message
    assert ipa.calls == []


def test_host_location_becomes_nshostlocation(enroll, ipa, projects):
    enroll(make_request(metadata={'ipa_enroll': 'true',
                                  'ipa_host_location': 'rack 7'}))
    assert ipa.hosts[FQDN]['nshostlocation'] == 'rack 7'
    assert 'userclass' not in ipa.hosts[FQDN]
    # Neither a host class nor a subdomain: Keystone is not asked.
    assert projects.lookups == []


def test_project_subdomain_and_configured_domain(make_enroller, enroll, ipa):
    enroller = make_enroller(project_subdomain=True, domain='cloud.test')
    result = enroll(make_request(hostname='Web1'), enroller=enroller)
    assert result.body['hostname'] == 'web1.web-team.cloud.test'
    assert list(ipa.hosts) == ['web1.web-team.cloud.test']


@pytest.mark.parametrize('name', ['web_team', 'Web-Team', 'web team',
                                  'web.team', '-web-team-', 'web\u00e9team'])
def test_project_names_that_are_not_labels_get_no_subdomain(
        make_enroller, enroll, ipa, projects, name):
    # novajoin 1.3.0 turned each of these into web-team (or close): one
    # project could take names in another's subdomain.
    projects.names[conftest.PROJECT] = project_record(name, 'default')
    with pytest.raises(exception.InvalidHostname) as caught:
        enroll(make_request(), enroller=make_enroller(project_subdomain=True))
    assert 'project' in caught.value.message
    assert ipa.calls == []


def test_same_project_name_in_another_domain_gets_no_subdomain(
        make_enroller, enroll, ipa, projects):
    projects.names[conftest.PROJECT] = project_record('web-team', 'd2')
    with pytest.raises(exception.InvalidRequest) as caught:
        enroll(make_request(), enroller=make_enroller(project_subdomain=True))
    assert 'domain d2' in caught.value.message
    assert ipa.calls == []


def test_subdomains_can_serve_another_domain(make_enroller, enroll, ipa,
                                             projects):
    projects.names[conftest.PROJECT] = project_record('web-team', 'd2')
    enroller = make_enroller(project_subdomain=True,
                             project_names_domain_id='d2')
    result = enroll(make_request(), enroller=enroller)
    assert result.body['hostname'] == 'web1.web-team.example.test'


def test_allowed_classes_of_a_name_are_not_given_to_another_domain(
        make_enroller, enroll, ipa, projects):
    projects.names[conftest.PROJECT] = project_record('web-team', 'd2')
    enroller = make_enroller(allowed_classes={'web-team': ['*']})
    request = make_request(metadata={'ipa_enroll': 'true',
                                     'ipa_hostclass': 'webserver'})
    with pytest.raises(exception.HostClassNotAllowed):
        enroll(request, enroller=enroller)
    assert ipa.calls == []


@pytest.mark.parametrize('limit,accepted', [(64, True), (63, False)])
def test_name_longer_than_ipa_accepts_is_refused_before_ipa(
        make_enroller, enroll, ipa, limit, accepted):
    hostname = 'h' * (64 - len('.example.test'))
    enroller = make_enroller(max_hostname_length=limit)
    if accepted:
        assert enroll(make_request(hostname=hostname), enroller=enroller)
        return
    with pytest.raises(exception.InvalidHostname) as caught:
        enroll(make_request(hostname=hostname), enroller=enroller)
    assert 'at most 63' in caught.value.message
    assert ipa.calls == []


@pytest.mark.parametrize('name', ['bad_name!', 'x' * 64, 'a.b', ''])
def test_invalid_hostname_is_refused_without_ipa_call(enroll, ipa, name):
    with pytest.raises(exception.InvalidHostname):
        enroll(make_request(hostname=name))
    assert ipa.calls == []


# --- existing entries -------------------------------------------------------

def test_repeat_request_returns_the_same_otp_without_writing(enroll, ipa):
    first = enroll()
    del ipa.calls[:]
    again = [enroll() for _ in range(3)]
    assert [r.decision for r in again] == [enrollment.REPEAT] * 3
    assert all(r.body == first.body for r in again)
    assert ipa.commands() == ['batch'] * 3
    assert ipa.accepts_otp(FQDN, first.body['ipaotp'])


def test_replicas_with_the_same_key_answer_the_same_otp(make_enroller, enroll,
                                                        ipa, key_bytes):
    first = enroll()
    replica = make_enroller(otp_key=otp.OTPKey(key_bytes))
    assert enroll(enroller=replica).body == first.body
    assert len(ipa.writes()) == 1


def test_recreated_entry_gets_a_new_otp(enroll, ipa):
    # Same instance, same name, after the entry was deleted: a new nonce.
    first = enroll()
    del ipa.hosts[FQDN]
    second = enroll()
    assert second.decision == enrollment.CREATED
    assert second.body['ipaotp'] != first.body['ipaotp']


def test_enrolled_instance_gets_no_otp_and_nothing_is_written(enroll, ipa):
    first = enroll()
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    del ipa.calls[:]
    result = enroll()
    assert result.decision == enrollment.ENROLLED
    assert result.body == {'hostname': FQDN, 'krb_realm': 'EXAMPLE.TEST'}
    assert ipa.writes() == []


def test_name_of_another_instance_is_refused_and_untouched(enroll, ipa):
    owner = enroll(make_request(instance_id=conftest.OTHER_INSTANCE))
    before = copy.deepcopy(ipa.hosts)
    del ipa.calls[:]
    with pytest.raises(exception.HostOwnedByOther) as caught:
        enroll()
    assert 'another instance' in caught.value.message
    assert caught.value.fqdn == FQDN and caught.value.ipa_calls == 1
    assert owner.body['ipaotp'] not in caught.value.message
    assert ipa.hosts == before
    assert ipa.writes() == []


@pytest.mark.parametrize('seed', [
    {},
    {'description': 'database server, added by hand'},
    {'description': 'IPA master', 'enrolled': True},
    {'description': json.dumps({'novajoin_metadata': {}}),
     'userpassword': 'secret'},
])
def test_entry_not_made_by_novajoin_is_refused_and_untouched(enroll, ipa,
                                                             seed):
    ipa.add_existing(FQDN, **seed)
    before = copy.deepcopy(ipa.hosts)
    with pytest.raises(exception.HostOwnedByOther) as caught:
        enroll()
    assert 'not created by novajoin' in caught.value.message
    assert caught.value.decision == 'refused'
    assert ipa.hosts == before
    assert ipa.writes() == []


def test_enrolled_entry_of_novajoin_1_3_0_is_enrolled(enroll, ipa):
    ipa.add_existing(FQDN, description=LEGACY_DESCRIPTION, enrolled=True)
    result = enroll()
    assert result.decision == enrollment.ENROLLED
    assert 'ipaotp' not in result.body
    assert ipa.writes() == []


def test_pending_entry_of_novajoin_1_3_0_is_refused_and_untouched(enroll,
                                                                  ipa):
    # novajoin 1.3.0 handed its own random OTP to nova already; replacing
    # it would hand out a second OTP for the same boot.
    ipa.add_existing(FQDN, description=LEGACY_DESCRIPTION,
                     userpassword='otp-of-1.3.0')
    before = copy.deepcopy(ipa.hosts)
    with pytest.raises(exception.HostPasswordUnknown) as caught:
        enroll()
    assert caught.value.decision == 'refused'
    assert 'ipa host-del' in caught.value.message
    assert ipa.hosts == before
    assert ipa.writes() == []
    assert ipa.accepts_otp(FQDN, 'otp-of-1.3.0')


@pytest.mark.parametrize('description', [
    ownership.build_description(conftest.INSTANCE, 'n0nce'),
    LEGACY_DESCRIPTION,
])
def test_disabled_entry_gets_no_otp_and_nothing_is_written(enroll, ipa,
                                                           description):
    # What host_disable leaves after an enrollment: no keytab, no password.
    ipa.add_existing(FQDN, description=description, enrolled=True)
    ipa.host_disable(FQDN)
    del ipa.calls[:]
    for _ in range(3):
        result = enroll()
        assert result.decision == enrollment.DISABLED
        assert result.body == {'hostname': FQDN, 'krb_realm': 'EXAMPLE.TEST'}
    assert ipa.writes() == []
    assert ipa.hosts[FQDN]['userpassword'] is None


def test_enroll_disable_request_never_reissues_an_otp(enroll, ipa):
    first = enroll()
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    ipa.host_disable(FQDN)
    result = enroll()
    assert 'ipaotp' not in result.body
    assert not ipa.accepts_otp(FQDN, first.body['ipaotp'])
    with pytest.raises(AssertionError):
        ipa.enroll_with(FQDN, first.body['ipaotp'])


# --- races on creation ------------------------------------------------------

def test_duplicate_entry_after_a_concurrent_create_is_a_repeat(
        make_enroller, enroll, ipa, key_bytes):
    replica = make_enroller(otp_key=otp.OTPKey(key_bytes))
    winner = []
    on_first(ipa, 'host_add',
             lambda: winner.append(enroll(enroller=replica)))
    ours = enroll()
    assert winner[0].decision == enrollment.CREATED
    assert ours.decision == enrollment.REPEAT
    assert ours.body == winner[0].body
    assert ipa.accepts_otp(FQDN, ours.body['ipaotp'])
    # The winner's batch ran while ours did: ours shows what it added.
    assert ipa.commands() == ['batch', 'batch', 'host_show']


def test_duplicate_entry_of_another_instance_is_refused(enroll, ipa):
    on_first(ipa, 'host_add', lambda: ipa.add_existing(
        FQDN, description=ownership.build_description(
            conftest.OTHER_INSTANCE, 'their-nonce'), userpassword='theirs'))
    with pytest.raises(exception.HostOwnedByOther):
        enroll()
    assert ipa.hosts[FQDN]['userpassword'] == 'theirs'


def test_entry_deleted_after_duplicate_entry_is_unavailable(enroll, ipa):
    def created_then_deleted():
        ipa.add_existing(FQDN, description=ownership.build_description(
            conftest.INSTANCE, 'n'), userpassword='x')
        ipa.before_call = lambda command, fqdn: ipa.hosts.pop(FQDN, None)
    on_first(ipa, 'host_add', created_then_deleted)
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        enroll()
    assert 'deleted' in caught.value.message
    assert caught.value.ipa_calls == 2


# --- IPA failures and the deadline ------------------------------------------

@pytest.mark.parametrize('error', [
    ipa_errors.IPAUnavailable('no server answered'),
    ipa_errors.IPATLSError('certificate verify failed'),
    ipa_errors.IPAAuthenticationError('login failed', reason='expired'),
    ipa_errors.IPAProtocolError('not JSON-RPC'),
])
def test_ipa_unusable_is_unavailable_with_retry_after(enroll, ipa, error):
    ipa.fail_with = error
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        enroll()
    assert caught.value.message == 'IPA is unavailable'
    assert caught.value.retry_after == 5
    assert caught.value.fqdn == FQDN
    assert caught.value.ipa_calls == 1
    assert ipa.writes() == []


def test_ipa_refusing_host_add_is_unavailable_and_logs_no_otp(enroll, ipa,
                                                              caplog):
    def refuse():
        password = ipa.calls[-1][3]['userpassword']
        raise ipa_errors.ACIError('no right to add, password %s' % password,
                                  code=2100)
    on_first(ipa, 'host_add', refuse)
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        enroll()
    assert caught.value.message == 'IPA could not complete the enrollment'
    assert caught.value.ipa_calls == 1
    assert FQDN not in ipa.hosts
    password = ipa.calls[1][3]['userpassword']
    logged = [r.getMessage() for r in caplog.records
              if r.name == 'novajoin.hosts.enrollment']
    assert any('no right to add, password <otp>' in line for line in logged)
    assert not any(password in line for line in logged)


def test_ipa_validation_error_on_add_is_invalid_request_without_otp(enroll,
                                                                    ipa):
    def refuse():
        password = ipa.calls[-1][3]['userpassword']
        raise ipa_errors.ValidationError("invalid 'userpassword': %s"
                                         % password, code=3009)
    on_first(ipa, 'host_add', refuse)
    with pytest.raises(exception.InvalidRequest) as caught:
        enroll()
    password = ipa.calls[1][3]['userpassword']
    assert password not in caught.value.message
    assert '<otp>' in caught.value.message
    assert FQDN in caught.value.message


def test_ipa_calls_get_the_time_left_before_the_deadline(enroll, ipa, clock):
    # A concurrent creation costs a host_show after the batch.
    on_first(ipa, 'host_add', lambda: (
        clock.advance(1.5), ipa.add_existing(
            FQDN, description=ownership.build_description(
                conftest.INSTANCE, 'n'), userpassword='x')))
    enroll()
    assert ipa.timeouts() == [conftest.BUDGET, conftest.BUDGET - 1.5]


def test_no_ipa_call_is_started_with_too_little_time_left(enroll, ipa,
                                                          clock):
    # The batch used all but 0.2 s; min_call_time is 0.25 s: no host_show.
    on_first(ipa, 'host_add', lambda: (
        clock.advance(conftest.BUDGET - 0.2), ipa.add_existing(
            FQDN, description=ownership.build_description(
                conftest.INSTANCE, 'n'), userpassword='x')))
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        enroll()
    assert 'time' in caught.value.message
    assert caught.value.ipa_calls == 1
    assert ipa.commands() == ['batch']


def test_expired_deadline_makes_no_call_at_all(enroller, ipa, images,
                                               clock):
    with pytest.raises(exception.EnrollmentUnavailable):
        enroller.enroll(make_request(), deadline=clock() + 0.1)
    assert ipa.calls == [] and images.lookups == []


# --- what is written, and what is shown -------------------------------------

def test_created_entry_records_owner_and_nonce_the_otp_derives_from(
        enroll, ipa, otp_key):
    result = enroll()
    (command, fqdn, _, options) = ipa.writes()[0]
    assert (command, fqdn) == ('batch:host_add', FQDN)
    assert options['force'] is True
    record = description_of(ipa)
    assert record.instance_id == conftest.INSTANCE
    assert len(record.otp_nonce) == 22
    assert options['userpassword'] == result.body['ipaotp'] == (
        otp_key.derive_otp(conftest.INSTANCE, FQDN, record.otp_nonce))


def test_result_and_request_reprs_do_not_show_the_otp(enroll):
    result = enroll()
    assert result.body['ipaotp'] not in repr(result)
    assert conftest.INSTANCE in repr(make_request())
