"""novajoin-install --glance-metadefs against the Glance stand-in, through
a real Keystone catalog and token."""

import json

from novajoin.install import glance_metadefs
from tests.fixtures import novajoin_server

NAMESPACE = 'OS::Identity::IPA'


def _credentials_file(tmp_path, ks):
    path = tmp_path / 'glance-admin.conf'
    novajoin_server.write_config(
        str(path), {'service_credentials': ks.service_credentials_conf()})
    return str(path)


def _run(installer, tmp_path, ks):
    return installer.run('--glance-metadefs', '--config-file',
                         _credentials_file(tmp_path, ks),
                         path='/usr/bin:/bin')


def test_metadefs_loaded_once_and_repaired_when_changed(
        ipa, installer, tmp_path, ks, standin):
    standin.metadefs.namespaces.pop(NAMESPACE, None)
    shipped = glance_metadefs.load_namespace()

    first = _run(installer, tmp_path, ks)
    assert first.returncode == 0, first.stderr + first.stdout
    assert 'done: create Glance metadata namespace %s' % NAMESPACE in (
        first.stdout)
    loaded = standin.metadefs.namespaces[NAMESPACE]
    assert loaded['properties'] == shipped['properties']
    assert {a['name'] for a in loaded['resource_type_associations']} == {
        'OS::Glance::Image', 'OS::Nova::Server'}
    assert {'ipa_enroll', 'ipa_hostclass', 'ipa_host_location',
            'compact_services', 'compact_service_HTTP',
            'managed_service_HTTP'} <= set(loaded['properties'])

    second = _run(installer, tmp_path, ks)
    assert second.returncode == 0, second.stderr + second.stdout
    assert 'unchanged: Glance metadata namespace %s' % NAMESPACE in (
        second.stdout)
    assert second.stdout.splitlines()[-1].startswith('nothing to change')

    # Someone edited the namespace in Horizon: only the damage is undone.
    del loaded['properties']['ipa_hostclass']
    loaded['properties']['ipa_enroll']['title'] = 'changed'
    loaded['resource_type_associations'] = [
        a for a in loaded['resource_type_associations']
        if a['name'] != 'OS::Nova::Server']
    loaded['properties']['site_specific'] = {'title': 'x', 'type': 'string'}
    standin.requests.clear()

    third = _run(installer, tmp_path, ks)
    assert third.returncode == 0, third.stderr + third.stdout
    writes = sorted(r for r in standin.requests if r[0] != 'GET')
    prefix = '/image/v2/metadefs/namespaces/%s' % NAMESPACE
    assert writes == [('POST', prefix + '/properties'),
                      ('POST', prefix + '/resource_types'),
                      ('PUT', prefix + '/properties/ipa_enroll')]
    repaired = standin.metadefs.namespaces[NAMESPACE]
    assert repaired['properties']['ipa_enroll'] == (
        shipped['properties']['ipa_enroll'])
    assert 'site_specific' in repaired['properties']
    assert json.dumps(repaired['properties']['ipa_hostclass'],
                      sort_keys=True) == json.dumps(
        shipped['properties']['ipa_hostclass'], sort_keys=True)
