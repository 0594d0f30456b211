"""dnsrecord_add, dnsrecord_del, dnsrecord_find, dnsrecord_show,
dnszone_show and host DNS clean-up.

Zones are keyed by their absolute name (``example.test.``); records by a
relative name, ``@`` for the apex. A record is a dict of LDAP-style lists:
values per record type (:mod:`tests.ipasim.dnsrecords`) plus ``dnsttl``
and ``dnsclass``.
"""

from tests.ipasim import dnsrecords
from tests.ipasim import params
from tests.ipasim import rpc
from tests.ipasim import search
from tests.ipasim import state

# What host_del --updatedns removes.
HOST_RECORD_TYPES = ('arecord', 'aaaarecord', 'sshfprecord')
# Record attributes besides the values (dnsrecord_add --ttl/--class).
RECORD_SETTINGS = ('dnsttl', 'dnsclass')
RECORD_ATTRS = dnsrecords.RECORD_TYPES + RECORD_SETTINGS


def absolute_zone(directory, value, access):
    """The zone's absolute name; NotFound if it does not exist or the
    caller may not read DNS (FreeIPA's search then finds no zone).
    """
    zone = value.lower()
    if not zone.endswith('.'):
        zone += '.'
    if zone not in directory.zones or not access.may_read(
            directory.zone_dn(zone)):
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


def view(directory, zone, name, record, all_attrs, structured=False):
    out = {'dn': directory.record_dn(zone, name),
           'idnsname': [rpc.DNSName(name)]}
    for rtype in sorted(record):
        if record[rtype]:
            out[rtype] = list(record[rtype])
    if structured:
        for rtype in dnsrecords.RECORD_TYPES:
            out.pop(rtype, None)
        entries = dnsrecords.structured(record)
        if entries:
            out['dnsrecords'] = entries
    if all_attrs:
        out['objectclass'] = list(state.RECORD_OBJECTCLASSES)
    return out


def _has_values(record):
    return any(record.get(rtype) for rtype in dnsrecords.RECORD_TYPES)


def refuse_existing_reverse(directory, address):
    """DuplicateEntry if ``address`` already has a PTR record; nothing to
    check without a reverse zone (``add_records_for_host_validation``).
    """
    try:
        zone, name = dnsrecords.reverse_pointer(directory, address)
    except rpc.NotFound:
        return
    if directory.zones[zone].get(name, {}).get('ptrrecord'):
        raise rpc.DuplicateEntry(
            message='Reverse record for IP address %s already exists in '
                    'reverse zone %s.' % (address, zone))


def add_reverse_if_zone(directory, address, fqdn):
    try:
        zone, name = dnsrecords.reverse_pointer(directory, address)
    except rpc.NotFound:
        return
    record = directory.zones[zone].setdefault(name, {})
    pointers = record.setdefault('ptrrecord', [])
    if fqdn + '.' not in pointers:
        pointers.append(fqdn + '.')


def _wanted_records(values):
    """Record values and settings dnsrecord_add was asked to add."""
    wanted = {}
    for rtype in dnsrecords.RECORD_TYPES:
        new = list(values.get(rtype) or [])
        assembled = dnsrecords.from_parts(rtype, values)
        if assembled is not None:
            new.append(assembled)
        if new:
            wanted[rtype] = dnsrecords.checked(rtype, new)
    specs = [(option, spec) for option in ('setattr', 'addattr')
             for spec in values.get(option) or []]
    for option, spec in specs:
        name, value = params.attr_spec(option, spec, RECORD_ATTRS)
        if name in dnsrecords.RECORD_TYPES:
            value = dnsrecords.checked(name, [value])[0]
        wanted.setdefault(name, []).append(value)
    for setting in RECORD_SETTINGS:
        if values.get(setting) is not None:
            wanted[setting] = [str(values[setting])]
    return wanted


def _reverse_requests(values, wanted):
    """The addresses ``*_extra_create_reverse`` wants PTR records for."""
    requests = []
    for rtype, flag in (('arecord', 'a_extra_create_reverse'),
                        ('aaaarecord', 'aaaa_extra_create_reverse')):
        if values.get(flag):
            for address in wanted.get(rtype, []):
                requests.append(address)
    return requests


def add_address(directory, zone, name, address):
    rtype = 'aaaarecord' if ':' in address else 'arecord'
    record = directory.zones[zone].setdefault(name, {})
    values = record.setdefault(rtype, [])
    if address not in values:
        values.append(address)


def dnsrecord_add(directory, values, messages, access):
    zone = absolute_zone(directory, values['dnszoneidnsname'], access)
    name = relative_name(zone, values['idnsname'])
    wanted = _wanted_records(values)
    if not _has_values(wanted):
        raise rpc.OptionError('No options to add a specific record provided.')
    reverse = _reverse_requests(values, wanted)
    for address in reverse:
        dnsrecords.reverse_pointer(directory, address)
        refuse_existing_reverse(directory, address)

    record = directory.zones[zone].get(name, {})
    merged = {k: list(v) for k, v in record.items()}
    for attr, new in wanted.items():
        if attr in RECORD_SETTINGS:
            merged[attr] = new
            continue
        current = merged.setdefault(attr, [])
        current.extend(v for v in new if v not in current)
    if merged == record:
        raise rpc.EmptyModlist()
    if record:
        changed = sorted(r for r in merged if merged[r] != record.get(r))
        access.write(directory.record_dn(zone, name), changed)
    else:
        access.add(directory.record_dn(zone, name))
    directory.zones[zone][name] = merged
    fqdn = zone[:-1] if name == '@' else '%s.%s' % (name, zone[:-1])
    for address in reverse:
        add_reverse_if_zone(directory, address, fqdn)
    return {'result': view(directory, zone, name, merged, True,
                           values['structured']),
            'value': rpc.DNSName(name), 'summary': None}


def dnsrecord_del(directory, values, messages, access):
    zone = absolute_zone(directory, values['dnszoneidnsname'], access)
    name = relative_name(zone, values['idnsname'])
    to_delete = {rtype: values[rtype] for rtype in dnsrecords.RECORD_TYPES
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
                    raise rpc.AttrValueNotFound(
                        attr=dnsrecords.label(rtype), value=value)
                remaining[rtype].remove(value)
        remaining = {k: v for k, v in remaining.items() if v}
    if values['del_all'] or not _has_values(remaining):
        access.delete(directory.record_dn(zone, name))
        del directory.zones[zone][name]
        return {'result': {'failed': []}, 'value': [rpc.DNSName(name)],
                'summary': 'Deleted record "%s"' % name}
    access.write(directory.record_dn(zone, name), sorted(to_delete))
    directory.zones[zone][name] = remaining
    result = view(directory, zone, name, remaining, False,
                  values['structured'])
    del result['dn']
    return {'result': result, 'value': [rpc.DNSName(name)], 'summary': None}


def dnsrecord_show(directory, values, messages, access):
    zone = absolute_zone(directory, values['dnszoneidnsname'], access)
    name = relative_name(zone, values['idnsname'])
    record = directory.zones[zone].get(name)
    if record is None:
        raise _record_not_found(name)
    return {'result': view(directory, zone, name, record, values['all'],
                           values['structured']),
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
    zone = absolute_zone(directory, values['idnsname'], access)
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
    for attr in RECORD_ATTRS:
        wanted = values.get(attr)
        if wanted is None:
            continue
        for value in wanted if isinstance(wanted, list) else [wanted]:
            if str(value) not in record.get(attr, []):
                return False
    return True


def dnsrecord_find(directory, values, messages, access):
    zone = absolute_zone(directory, values['dnszoneidnsname'], access)
    if values.get('idnsname') is not None:
        values = dict(values, idnsname=relative_name(zone, values['idnsname']))
    names = sorted(n for n, r in directory.zones[zone].items()
                   if _record_matches(n, r, values))
    names, truncated = search.limit(names, values, messages,
                                    directory)
    entries = []
    for name in names:
        entry = view(directory, zone, name, directory.zones[zone][name],
                     values['all'], values['structured'])
        if values['pkey_only']:
            entry = {'dn': entry['dn'], 'idnsname': entry['idnsname']}
        entries.append(entry)
    return search.output(entries, truncated, 'DNS record', 'DNS records')


def remove_host_records(directory, fqdn, access):
    """Remove the A/AAAA/SSHFP records of ``fqdn`` and the PTR records of
its addresses that point back to it (host_del --updatedns).

    Returns None on success, or the reason nothing was removed (FreeIPA then
    adds warning 13020 instead of failing).
    """
    zone, name = directory.zone_of(fqdn)
    if zone is None or not access.may_read(directory.zone_dn(zone)):
        return 'DNS zone %s. not found' % fqdn.split('.', 1)[1]
    record = directory.zones[zone].get(name)
    if not record or not any(record.get(t) for t in HOST_RECORD_TYPES):
        return _record_not_found(name).message
    remaining = {k: v for k, v in record.items()
                 if k not in HOST_RECORD_TYPES and v}
    try:
        if _has_values(remaining):
            access.write(directory.record_dn(zone, name), sorted(
                t for t in HOST_RECORD_TYPES if record.get(t)))
        else:
            access.delete(directory.record_dn(zone, name))
    except rpc.ACIError as e:
        return e.message
    for address in record.get('arecord', []) + record.get('aaaarecord', []):
        _remove_pointer(directory, address, fqdn)
    if _has_values(remaining):
        directory.zones[zone][name] = remaining
    else:
        del directory.zones[zone][name]
    return None


def _remove_pointer(directory, address, fqdn):
    try:
        zone, name = dnsrecords.reverse_pointer(directory, address)
    except rpc.NotFound:
        return
    record = directory.zones[zone].get(name, {})
    pointers = record.get('ptrrecord', [])
    if fqdn + '.' in pointers:
        pointers.remove(fqdn + '.')
        if not _has_values(record):
            del directory.zones[zone][name]


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
            if rtype not in dnsrecords.RECORD_TYPES:
                raise ValueError('unknown record type %s' % rtype)
            current = record.setdefault(rtype, [])
            current.extend(v for v in dnsrecords.checked(rtype, new)
                           if v not in current)


def snapshot(directory):
    """All zones and records, for the admin endpoint."""
    with directory.lock:
        return {zone: {name: {k: list(v) for k, v in record.items()}
                       for name, record in sorted(records.items())}
                for zone, records in directory.zones.items()}
