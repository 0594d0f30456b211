"""Host names: longer than IPA accepts is refused before IPA is asked;
project subdomains are never shared (names that are not already DNS
labels, and projects of another Keystone domain, get none). Both runners.
"""

import pytest

from tests.fixtures import novajoin_server
from tests.functional.api import conftest

# name -> (project, Keystone domain)
PROJECTS = {
    'sub-label': ('my-proj', 'Default'),
    'sub-underscore': ('my_proj', 'Default'),
    'sub-dot': ('my.proj', 'Default'),
    'sub-space': ('my proj', 'Default'),
    'sub-other-domain': ('my-proj', 'subdomain-elsewhere'),
}


def _project_id(ks, key):
    if key not in ks.users:
        project, domain = PROJECTS[key]
        ks.create_user(key, project, ['member'], domain=domain)
    return ks.users[key].project_id


@pytest.fixture(scope='module')
def subdomain_server(novajoin, ks, ipa, otp_key_file, test_ca,
                     tmp_path_factory):
    sections = conftest.server_sections(ks, ipa, otp_key_file)
    sections['DEFAULT'].update(project_subdomain=True)
    sections['my-proj'] = {'allowed_classes': 'web*'}
    with novajoin_server.run_novajoin_server(
            tmp_path_factory.mktemp('subdomains'), test_ca, sections,
            runner=novajoin.runner, name='subdomains') as server:
        yield server


def _post(server, ks, key, metadata=None):
    body = conftest.vendordata_body(hostname='web1',
                                    project_id=_project_id(ks, key),
                                    metadata=metadata)
    return conftest.caller_for(server, ks, 'nova').post(body)


def test_only_the_project_named_like_the_label_gets_the_subdomain(
        subdomain_server, ks, sim):
    expected = 'web1.my-proj.%s' % sim.domain
    response = _post(subdomain_server, ks, 'sub-label')
    assert response.status_code == 200, response.text
    assert response.json()['hostname'] == expected
    for key in ('sub-underscore', 'sub-dot', 'sub-space', 'sub-other-domain'):
        response = _post(subdomain_server, ks, key)
        assert response.status_code == 400, (key, response.text)
        assert 'ipaotp' not in response.text
    assert [host['fqdn'][0] for host in sim.admin.hosts()] == [expected]


def test_host_classes_of_a_name_stay_in_its_domain(subdomain_server, ks,
                                                   sim):
    metadata = {'ipa_enroll': 'true', 'ipa_hostclass': 'webserver'}
    response = _post(subdomain_server, ks, 'sub-other-domain', metadata)
    assert response.status_code in (400, 403), response.text
    assert sim.admin.hosts() == []
    response = _post(subdomain_server, ks, 'sub-label', metadata)
    assert response.status_code == 200, response.text


def test_name_longer_than_ipa_accepts_is_refused_without_ipa_call(
        nova, sim):
    # IPA's default ipamaxhostnamelength is 64.
    longest = 'h' * (64 - len('.' + sim.domain))
    sim.admin.reset_stats()
    response = nova.post(conftest.vendordata_body(hostname=longest + 'h'))
    assert response.status_code == 400, response.text
    assert 'at most 64' in response.json()['error']['message']
    assert sim.admin.stats()['calls'] == {}
    response = nova.post(conftest.vendordata_body(hostname=longest))
    assert response.status_code == 200, response.text
