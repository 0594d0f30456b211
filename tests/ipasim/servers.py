"""server_find: the IPA servers (masters), by their fqdn in ``cn``.

The servers are the simulator's own server name plus every host seeded as
an IPA master through the admin endpoint; these are the names a tenant
must never be given.
"""

from tests.ipasim import search


DOMAIN_LEVEL_MIN = '0'
DOMAIN_LEVEL_MAX = '1'
SERVER_OBJECTCLASSES = ['top', 'nsContainer', 'ipaReplTopoManagedServer',
                        'ipaConfigObject', 'ipaSupportedDomainLevelConfig']
TOPOLOGY_SUFFIXES = ['domain', 'ca']


def server_dn(directory, name):
    return 'cn=%s,cn=masters,cn=ipa,cn=etc,%s' % (name, directory.basedn)


def _matches(name, values):
    # The simulator's servers are in no location and run no named role.
    if values.get('in_location') or values.get('servrole'):
        return False
    for option, level in (('ipamindomainlevel', DOMAIN_LEVEL_MIN),
                          ('ipamaxdomainlevel', DOMAIN_LEVEL_MAX)):
        if values.get(option) is not None and values[option] != int(level):
            return False
    criteria = values.get('criteria')
    if criteria and criteria.lower() not in name:
        return False
    if values.get('cn') is not None and values['cn'].lower() != name:
        return False
    for suffix in values.get('topologysuffix') or []:
        if suffix not in TOPOLOGY_SUFFIXES:
            return False
    for suffix in values.get('no_topologysuffix') or []:
        if suffix in TOPOLOGY_SUFFIXES:
            return False
    return True


def _entry(directory, name, values):
    entry = {'dn': server_dn(directory, name), 'cn': [name]}
    if values['pkey_only']:
        return entry
    entry['ipamindomainlevel'] = [DOMAIN_LEVEL_MIN]
    entry['ipamaxdomainlevel'] = [DOMAIN_LEVEL_MAX]
    if not values['no_members']:
        entry['iparepltopomanagedsuffix_topologysuffix'] = list(
            TOPOLOGY_SUFFIXES)
    if values['all']:
        entry['objectclass'] = list(SERVER_OBJECTCLASSES)
    return entry


def server_find(directory, values, messages, access):
    names = [n for n in directory.masters() if _matches(n, values)]
    names, truncated = search.limit(names, values, messages,
                                    directory)
    entries = [_entry(directory, n, values) for n in names]
    return search.output(entries, truncated, 'IPA server', 'IPA servers')
