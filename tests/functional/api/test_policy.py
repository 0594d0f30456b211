"""The default policy with real Keystone identities (both runners)."""

from tests.functional.api import conftest

IMPOSTOR = 'impostor-nova'


def _impostor(ks):
    """A user "nova" of a project "service" in a second Keystone domain."""
    if IMPOSTOR not in ks.users:
        ks.create_user('nova', 'service', ['member'], domain='impostors',
                       key=IMPOSTOR)
    return IMPOSTOR


def test_nova_of_another_domain_is_refused(novajoin, ks, sim):
    caller = conftest.caller_for(novajoin, ks, _impostor(ks))
    sim.admin.reset_stats()
    response = caller.post(conftest.vendordata_body())
    assert response.status_code == 403, response.text
    assert 'join:create' in response.json()['error']['message']
    assert 'ipaotp' not in response.text
    assert sim.admin.hosts() == []
    assert sim.admin.stats()['calls'].get('host_add', 0) == 0


def test_nova_of_the_default_domain_is_allowed(novajoin, ks, sim):
    response = conftest.caller_for(novajoin, ks, 'nova').post(
        conftest.vendordata_body())
    assert response.status_code == 200, response.text
    assert response.json()['ipaotp']
