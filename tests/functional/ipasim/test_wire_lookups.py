"""The simulator's raw JSON for dnsrecord_show, dnszone_show and
server_find, and the admin endpoint that seeds what they read.
"""

ZONE = 'example.test'
BASEDN = 'dc=example,dc=test'


def dns_name(name):
    return {'__dns_name__': name}


def not_found(reason):
    return {'code': 4001, 'name': 'NotFound', 'message': reason,
            'data': {'reason': reason}}


# dnsrecord_show.

def test_dnsrecord_show(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    output = ipa.result('dnsrecord_show', ZONE + '.', 'www')
    assert output == {
        'result': {'dn': 'idnsname=www,idnsname=example.test.,cn=dns,%s'
                         % BASEDN,
                   'idnsname': [dns_name('www')],
                   'arecord': ['192.0.2.10']},
        'value': dns_name('www'), 'summary': None}
    everything = ipa.result('dnsrecord_show', ZONE, 'www', all=True)
    assert 'idnsrecord' in everything['result']['objectclass']


def test_dnsrecord_show_absolute_name_in_zone(ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    output = ipa.result('dnsrecord_show', ZONE, 'www.example.test.')
    assert output['value'] == dns_name('www')


def test_dnsrecord_show_missing_record_is_not_found(ipa):
    assert ipa.error('dnsrecord_show', ZONE, 'www') == not_found(
        'www: DNS resource record not found')


def test_dnsrecord_show_missing_zone_is_not_found(ipa):
    assert ipa.error('dnsrecord_show', 'nowhere.test', 'www') == not_found(
        'nowhere.test.: DNS zone not found')


def test_dnsrecord_show_of_seeded_records(sim, ipa):
    sim.admin.add_records(ZONE, 'reserved', arecord=['192.0.2.7'],
                          txtrecord=['not for tenants'])
    entry = ipa.result('dnsrecord_show', ZONE, 'reserved')['result']
    assert entry['arecord'] == ['192.0.2.7']
    assert entry['txtrecord'] == ['not for tenants']
    assert ipa.error('host_show', 'reserved.example.test')['code'] == 4001


def test_seeded_records_make_a_host_resolvable(sim, ipa):
    sim.admin.add_records(ZONE, 'h1', arecord=['192.0.2.1'])
    assert ipa.result('host_add', 'h1.example.test')['value'] == (
        'h1.example.test')


def test_admin_refuses_bad_records(sim):
    response = sim.admin._http.post(
        sim.admin_url + '/dns/records', timeout=30,
        json={'zone': ZONE, 'name': 'x', 'records': {'arecord': ['nope']}})
    assert response.status_code == 400
    response = sim.admin._http.post(
        sim.admin_url + '/dns/records', timeout=30,
        json={'zone': ZONE, 'name': 'x', 'records': {'bogusrecord': ['1']}})
    assert response.status_code == 400


# dnszone_show.

def test_dnszone_show(ipa):
    output = ipa.result('dnszone_show', ZONE)
    assert output['value'] == dns_name('example.test.')
    assert output['summary'] is None
    entry = output['result']
    assert entry['dn'] == 'idnsname=example.test.,cn=dns,%s' % BASEDN
    assert entry['idnsname'] == [dns_name('example.test.')]
    assert entry['idnszoneactive'] == ['TRUE']
    assert entry['nsrecord'] == [dns_name('localhost.')]
    assert entry['idnssoamname'] == [dns_name('localhost.')]
    assert 'objectclass' not in entry
    assert 'idnszone' in ipa.result('dnszone_show', ZONE, all=True)[
        'result']['objectclass']


def test_dnszone_show_seeded_zone(sim, ipa):
    sim.admin.add_zone('other.test')
    output = ipa.result('dnszone_show', 'other.test.')
    assert output['value'] == dns_name('other.test.')
    ipa.result('dnsrecord_add', 'other.test', 'www', arecord=['192.0.2.5'])


def test_dnszone_show_missing_is_not_found(ipa):
    assert ipa.error('dnszone_show', 'nowhere.test') == not_found(
        'nowhere.test.: DNS zone not found')


# server_find.

def test_server_find_lists_own_server(ipa):
    output = ipa.result('server_find')
    assert output['count'] == 1
    assert output['truncated'] is False
    assert output['summary'] == '1 IPA server matched'
    [entry] = output['result']
    assert entry['cn'] == ['localhost']
    assert entry['dn'] == 'cn=localhost,cn=masters,cn=ipa,cn=etc,%s' % BASEDN


def test_server_find_lists_seeded_masters(sim, ipa):
    sim.admin.add_master('ipa2.example.test')
    sim.admin.add_master('ipa1.example.test')
    output = ipa.result('server_find')
    assert [e['cn'] for e in output['result']] == [
        ['ipa1.example.test'], ['ipa2.example.test'], ['localhost']]
    assert output['summary'] == '3 IPA servers matched'
    assert sim.admin.servers() == ['ipa1.example.test', 'ipa2.example.test',
                                   'localhost']
    # A master is an enrolled host that cannot be deleted.
    assert ipa.result('host_show', 'ipa1.example.test')['result'][
        'has_keytab'] is True
    assert ipa.error('host_del', 'ipa1.example.test')['code'] == 3009


def test_server_find_criteria_and_name(sim, ipa):
    sim.admin.add_master('ipa1.example.test')
    assert ipa.result('server_find', 'ipa1')['count'] == 1
    assert ipa.result('server_find', cn='ipa1.example.test')['count'] == 1
    assert ipa.result('server_find', cn='ipa1')['count'] == 0
    assert ipa.result('server_find', 'nothing')['summary'] == (
        '0 IPA servers matched')


def test_server_find_pkey_only(ipa):
    [entry] = ipa.result('server_find', pkey_only=True)['result']
    assert set(entry) == {'dn', 'cn'}


def test_server_find_in_batch(sim, ipa):
    sim.admin.reset_stats()
    envelope = ipa.call('batch', {'method': 'server_find',
                                  'params': [[], {}]},
                        {'method': 'dnszone_show', 'params': [[ZONE], {}]})
    servers, zone = envelope['result']['results']
    assert servers['error'] is None and servers['count'] == 1
    assert zone['error'] is None
    assert sim.admin.calls('server_find') == 1
