"""DNS record values: the record types of ``API.txt``, building a value
from its ``<type>_part_*`` options, the ``structured`` view and reverse
(PTR) names.

Values are stored as text, as LDAP holds them; only A and AAAA values are
checked (FreeIPA checks every type, the simulator's clients send these).
"""

import ipaddress

from tests.ipasim import rpc

# Each type's parts in the order they make up the value
# (``ipaserver/plugins/dns.py`` record classes).
RECORD_PARTS = {
    'a6record': ('data',), 'aaaarecord': ('ip_address',),
    'afsdbrecord': ('subtype', 'hostname'), 'aplrecord': (),
    'arecord': ('ip_address',),
    'certrecord': ('type', 'key_tag', 'algorithm', 'certificate_or_crl'),
    'cnamerecord': ('hostname',), 'dhcidrecord': (),
    'dlvrecord': ('key_tag', 'algorithm', 'digest_type', 'digest'),
    'dnamerecord': ('target',),
    'dsrecord': ('key_tag', 'algorithm', 'digest_type', 'digest'),
    'hiprecord': (), 'ipseckeyrecord': (), 'keyrecord': (),
    'kxrecord': ('preference', 'exchanger'),
    'locrecord': ('lat_deg', 'lat_min', 'lat_sec', 'lat_dir', 'lon_deg',
                  'lon_min', 'lon_sec', 'lon_dir', 'altitude', 'size',
                  'h_precision', 'v_precision'),
    'mxrecord': ('preference', 'exchanger'),
    'naptrrecord': ('order', 'preference', 'flags', 'service', 'regexp',
                    'replacement'),
    'nsecrecord': (), 'nsrecord': ('hostname',), 'ptrrecord': ('hostname',),
    'rprecord': (), 'rrsigrecord': (), 'sigrecord': (), 'spfrecord': (),
    'srvrecord': ('priority', 'weight', 'port', 'target'),
    'sshfprecord': ('algorithm', 'fp_type', 'fingerprint'),
    'tlsarecord': ('cert_usage', 'selector', 'matching_type',
                   'cert_association_data'),
    'txtrecord': ('data',), 'urirecord': ('priority', 'weight', 'target'),
}
OPTIONAL_PARTS = {'locrecord': ('lat_min', 'lat_sec', 'lon_min', 'lon_sec',
                                'size', 'h_precision', 'v_precision')}
RECORD_TYPES = tuple(sorted(RECORD_PARTS))
_ADDRESS_CHECKS = {'arecord': ('a_rec', ipaddress.IPv4Address),
                   'aaaarecord': ('aaaa_rec', ipaddress.IPv6Address)}


def label(rtype):
    """``mxrecord`` -> ``MX record``, as in FreeIPA's messages."""
    return '%s record' % rtype[:-len('record')].upper()


def part_option(rtype, part):
    return '%s_part_%s' % (rtype[:-len('record')], part)


def checked(rtype, values):
    check = _ADDRESS_CHECKS.get(rtype)
    if check is None:
        return list(values)
    cli_name, kind = check
    for value in values:
        try:
            kind(value)
        except ValueError:
            raise rpc.ValidationError(name=cli_name,
                                      error='invalid IP address format')
    return list(values)


def from_parts(rtype, values):
    """The value the ``<type>_part_*`` options make, or None if none is
    given.
    """
    parts = RECORD_PARTS[rtype]
    given = {p: values.get(part_option(rtype, p)) for p in parts}
    if all(v is None for v in given.values()):
        return None
    optional = OPTIONAL_PARTS.get(rtype, ())
    for part in parts:
        if given[part] is None and part not in optional:
            raise rpc.ConversionError(
                name=rtype, error="'%s' is a required part of DNS record"
                % part_option(rtype, part))
    return ' '.join(str(given[p]) for p in parts if given[p] is not None)


def structured(record):
    """``structured=True``: the record values as ``dnsrecords`` entries
    with their parts; values of types without parts are left out, as in
    FreeIPA.
    """
    entries = []
    for rtype in sorted(record):
        parts = RECORD_PARTS.get(rtype)
        if not parts or rtype in OPTIONAL_PARTS:
            continue
        for value in record[rtype]:
            pieces = value.split(None, len(parts) - 1)
            if len(pieces) != len(parts):
                continue
            entry = {'dnstype': rtype[:-len('record')].upper(),
                     'dnsdata': value}
            entry.update({part_option(rtype, p): v
                          for p, v in zip(parts, pieces)})
            entries.append(entry)
    return entries


def reverse_pointer(directory, address):
    """(reverse zone, relative name) for ``address``; NotFound without a
    reverse zone (``get_reverse_zone``).
    """
    pointer = ipaddress.ip_address(address).reverse_pointer
    zone, name = directory.zone_of(pointer)
    if zone is None:
        raise rpc.NotFound(reason='DNS reverse zone for IP address %s not '
                                  'found' % address)
    return zone, name
