"""dnsrecord_add, dnsrecord_del, dnsrecord_find, dnsrecord_show,
dnszone_show and host DNS clean-up.

Zones are keyed by their absolute name (``example.test.``); records by a
relative name, ``@`` for the apex. Simulated record types: A, AAAA, CNAME,
PTR, TXT, SSHFP (values stored as given, A/AAAA validated).
"""

import ipaddress

from tests.ipasim import rpc
from tests.ipasim import state

RECORD_TYPES = {
    'arecord': 'A record', 'aaaarecord': 'AAAA record',
    'cnamerecord': 'CNAME record', 'ptrrecord': 'PTR record',
    'txtrecord': 'TXT record', 'sshfprecord': 'SSHFP record'}
_ADDRESS_CHECKS = {'arecord': ('a_rec', ipaddress.IPv4Address),
                   'aaaarecord': ('aaaa_rec', ipaddress.IPv6Address)}
# What host_del --updatedns removes.
HOST_RECORD_TYPES = ('arecord', 'aaaarecord', 'sshfprecord')


def absolute_zone(directory, value):
    zone = value.lower()
    if not zone.endswith('.'):
        zone += '.'
    if zone not in directory.zones:
        raise rpc.NotFound(reason='%s: DNS zone not found' % zone)
    return zone


def relative_name(zone, value):
    """FreeIPA's record name rule: relative names stay, absolute in-zone
    names are relativized, absolute out-of-zone names are refused.
    """
    name = value.lower()
    if not name.endswith('.'):
        return name or '@'
    if name == zone:
        return '@'
    if name.endswith('.' + zone):
        return name[:-len(zone) - 1]
    raise rpc.ValidationError(
        name='idnsname',
        error='out-of-zone data: record name must be a subdomain of the zone '
              'or a relative name')


def _record_not_found(name):
    return rpc.NotFound(reason='%s: DNS resource record not found' % name)


def _checked_values(rtype, values):
    check = _ADDRESS_CHECKS.get(rtype)
    if check is None:
        return values
    cli_name, kind = check
    for value in values:
        try:
            kind(value)
        except ValueError:
            raise rpc.ValidationError(name=cli_name,
                                      error='invalid IP address format')
    return values


def view(directory, zone, name, record, all_attrs):
    out = {'dn': directory.record_dn(zone, name),
           'idnsname': [rpc.DNSName(name)]}
    for rtype in sorted(record):
        if record[rtype]:
            out[rtype] = list(record[rtype])
    if all_attrs:
        out['objectclass'] = list(state.RECORD_OBJECTCLASSES)
    return out


def add_address(directory, zone, name, address):
    rtype = 'aaaarecord' if ':' in address else 'arecord'
    record = directory.zones[zone].setdefault(name, {})
    values = record.setdefault(rtype, [])
    if address not in values:
        values.append(address)


def dnsrecord_add(directory, values, messages, access):
    zone = absolute_zone(directory, values['dnszoneidnsname'])
    name = relative_name(zone, values['idnsname'])
    wanted = {}
    for rtype in RECORD_TYPES:
        if values.get(rtype):
            wanted[rtype] = _checked_values(rtype, values[rtype])
    if values.get('a_part_ip_address'):
        wanted.setdefault('arecord', []).extend(_checked_values(
            'arecord', [values['a_part_ip_address']]))
    if values.get('aaaa_part_ip_address'):
        wanted.setdefault('aaaarecord', []).extend(_checked_values(
            'aaaarecord', [values['aaaa_part_ip_address']]))
    if not wanted:
        raise rpc.OptionError('No options to add a specific record provided.')

    record = directory.zones[zone].get(name, {})
    merged = {k: list(v) for k, v in record.items()}
    for rtype, new in wanted.items():
        current = merged.setdefault(rtype, [])
        current.extend(v for v in new if v not in current)
    if merged == record:
        raise rpc.EmptyModlist()
    if record:
        changed = sorted(r for r in merged if merged[r] != record.get(r))
        access.write(directory.record_dn(zone, name), changed[0])
    else:
        access.add(directory.record_dn(zone, name))
    directory.zones[zone][name] = merged
    return {'result': view(directory, zone, name, merged, True),
            'value': rpc.DNSName(name), 'summary': None}


def dnsrecord_del(directory, values, messages, access):
    zone = absolute_zone(directory, values['dnszoneidnsname'])
    name = relative_name(zone, values['idnsname'])
    to_delete = {rtype: values[rtype] for rtype in RECORD_TYPES
                 if values.get(rtype)}
    if not to_delete and not values['del_all']:
        raise rpc.OptionError(
            'Neither --del-all nor options to delete a specific record '
            'provided.')
    record = directory.zones[zone].get(name)
    if record is None:
        raise _record_not_found(name)
    remaining = {k: list(v) for k, v in record.items()}
    if not values['del_all']:
        for rtype, doomed in to_delete.items():
            for value in doomed:
                if value not in remaining.get(rtype, []):
                    raise rpc.AttrValueNotFound(attr=RECORD_TYPES[rtype],
                                                value=value)
                remaining[rtype].remove(value)
        remaining = {k: v for k, v in remaining.items() if v}
    if values['del_all'] or not remaining:
        access.delete(directory.record_dn(zone, name))
        del directory.zones[zone][name]
        return {'result': {'failed': []}, 'value': [rpc.DNSName(name)],
                'summary': 'Deleted record "%s"' % name}
    access.write(directory.record_dn(zone, name), sorted(to_delete)[0])
    directory.zones[zone][name] = remaining
    result = view(directory, zone, name, remaining, False)
    del result['dn']
    return {'result': result, 'value': [rpc.DNSName(name)], 'summary': None}


def dnsrecord_show(directory, values, messages, access):
    zone = absolute_zone(directory, values['dnszoneidnsname'])
    name = relative_name(zone, values['idnsname'])
    record = directory.zones[zone].get(name)
    if record is None:
        raise _record_not_found(name)
    return {'result': view(directory, zone, name, record, values['all']),
            'value': rpc.DNSName(name), 'summary': None}


# SOA and policy values of a zone made by ipa-server-install (dnszone_add
# defaults in ipaserver/plugins/dns.py).
ZONE_DEFAULTS = {
    'idnszoneactive': ['TRUE'], 'idnssoarefresh': ['3600'],
    'idnssoaretry': ['900'], 'idnssoaexpire': ['1209600'],
    'idnssoaminimum': ['3600'], 'idnsallowquery': ['any;'],
    'idnsallowtransfer': ['none;'], 'idnsallowdynupdate': ['FALSE'],
    'idnsallowsyncptr': ['FALSE']}
ZONE_OBJECTCLASSES = ['top', 'idnsrecord', 'idnszone']
ZONE_SERIAL = '1'


def dnszone_show(directory, values, messages, access):
    zone = absolute_zone(directory, values['idnsname'])
    apex = directory.zones[zone].get('@', {})
    server = directory.server_name.rstrip('.') + '.'
    entry = {'dn': directory.zone_dn(zone),
             'idnsname': [rpc.DNSName(zone)],
             'idnssoamname': [rpc.DNSName(server)],
             'idnssoarname': [rpc.DNSName('hostmaster.' + zone)],
             'idnssoaserial': [ZONE_SERIAL]}
    entry.update({k: list(v) for k, v in ZONE_DEFAULTS.items()})
    for rtype in sorted(apex):
        if apex[rtype]:
            entry[rtype] = [rpc.DNSName(v) if rtype == 'nsrecord' else v
                            for v in apex[rtype]]
    if values['all']:
        entry['objectclass'] = list(ZONE_OBJECTCLASSES)
    return {'result': entry, 'value': rpc.DNSName(zone), 'summary': None}


def _record_matches(name, record, values):
    criteria = values.get('criteria')
    if criteria:
        needle = criteria.lower()
        haystack = [name] + [v.lower() for vs in record.values() for v in vs]
        if not any(needle in v for v in haystack):
            return False
    if values.get('idnsname') is not None and values['idnsname'] != name:
        return False
    for rtype in RECORD_TYPES:
        for value in values.get(rtype) or []:
            if value not in record.get(rtype, []):
                return False
    return True


def dnsrecord_find(directory, values, messages, access):
    zone = absolute_zone(directory, values['dnszoneidnsname'])
    if values.get('idnsname') is not None:
        values = dict(values, idnsname=relative_name(zone, values['idnsname']))
    names = sorted(n for n, r in directory.zones[zone].items()
                   if _record_matches(n, r, values))
    sizelimit = values.get('sizelimit')
    truncated = bool(sizelimit) and len(names) > sizelimit
    if truncated:
        names = names[:sizelimit]
        messages.append(rpc.search_result_truncated())
    entries = []
    for name in names:
        entry = view(directory, zone, name, directory.zones[zone][name],
                     values['all'])
        if values['pkey_only']:
            entry = {'dn': entry['dn'], 'idnsname': entry['idnsname']}
        entries.append(entry)
    noun = 'DNS record' if len(entries) == 1 else 'DNS records'
    return {'result': entries, 'count': len(entries), 'truncated': truncated,
            'summary': '%d %s matched' % (len(entries), noun)}


def remove_host_records(directory, fqdn):
    """Remove the A/AAAA/SSHFP records of ``fqdn`` (host_del --updatedns).

    Returns None on success, or the reason nothing was removed (FreeIPA then
    adds warning 13020 instead of failing).
    """
    zone, name = directory.zone_of(fqdn)
    if zone is None:
        return 'DNS zone %s. not found' % fqdn.split('.', 1)[1]
    record = directory.zones[zone].get(name)
    if not record or not any(record.get(t) for t in HOST_RECORD_TYPES):
        return _record_not_found(name).message
    remaining = {k: v for k, v in record.items()
                 if k not in HOST_RECORD_TYPES and v}
    if remaining:
        directory.zones[zone][name] = remaining
    else:
        del directory.zones[zone][name]
    return None


def seed(directory, zone, name=None, records=None):
    """A zone, or records in one, made outside the JSON-RPC API (admin
    endpoint): DNS that exists without any host, e.g. reserved names.
    """
    zone = zone.lower().rstrip('.') + '.'
    with directory.lock:
        records_of_zone = directory.zones.setdefault(zone, {})
        if name is None:
            return
        name = relative_name(zone, name)
        record = records_of_zone.setdefault(name, {})
        for rtype, new in (records or {}).items():
            if rtype not in RECORD_TYPES:
                raise ValueError('unknown record type %s' % rtype)
            current = record.setdefault(rtype, [])
            current.extend(v for v in _checked_values(rtype, new)
                           if v not in current)


def snapshot(directory):
    """All zones and records, for the admin endpoint."""
    with directory.lock:
        return {zone: {name: {k: list(v) for k, v in record.items()}
                       for name, record in sorted(records.items())}
                for zone, records in directory.zones.items()}
