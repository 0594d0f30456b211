"""service_add, service_del, service_show, service_find, service_add_host."""

from tests.ipasim import rpc
from tests.ipasim import state

DEFAULT_SIZELIMIT = 100
SHOW_KEYS = ('dn', 'krbprincipalname', 'krbcanonicalname', 'managedby_host',
             'has_keytab')
ADD_KEYS = ('dn', 'krbprincipalname', 'krbcanonicalname', 'managedby_host',
            'objectclass', 'ipauniqueid', 'ipakrboktoauthasdelegate',
            'krbpwdpolicyreference')
ALL_KEYS = SHOW_KEYS + ('objectclass', 'ipauniqueid', 'ipakrbokasdelegate',
                        'ipakrbrequirespreauth', 'ipakrboktoauthasdelegate',
                        'krbpwdpolicyreference')
FIND_KEYS = ('dn', 'krbprincipalname', 'krbcanonicalname')


def parse_principal(directory, value):
    """``service/host[@REALM]`` -> (canonical principal, service, host)."""
    name, _, realm = value.partition('@')
    service, slash, host = name.partition('/')
    if not slash or not service or not host or '/' in host:
        raise rpc.ValidationError(name='canonical_principal',
                                  error='Service principal is required')
    if realm and realm != directory.realm:
        raise rpc.RealmMismatch()
    host = host.lower()
    return '%s/%s@%s' % (service, host, directory.realm), service, host


def _service_not_found(principal):
    return rpc.NotFound(reason='%s: service not found' % principal)


def get_service(directory, value):
    principal, _, _ = parse_principal(directory, value)
    service = directory.services.get(principal)
    if service is None:
        raise _service_not_found(principal)
    return service


def view(directory, service, keys):
    out = {}
    for key in keys:
        if key == 'dn':
            out['dn'] = directory.service_dn(service.principal)
        elif key == 'has_keytab':
            out[key] = False
        elif key == 'managedby_host':
            if service.managedby:
                out[key] = list(service.managedby)
        elif key == 'krbpwdpolicyreference':
            out[key] = [directory.password_policy_dn()]
        elif key in service.flags:
            out[key] = service.flags[key]
        elif service.attrs.get(key):
            out[key] = list(service.attrs[key])
    return out


def service_add(directory, values, messages, access):
    principal, kind, host_fqdn = parse_principal(
        directory, values['krbcanonicalname'])
    if kind == 'host' and not values['force']:
        raise rpc.HostService()
    if not values['skip_host_check'] and host_fqdn not in directory.hosts:
        raise rpc.NotFound(
            reason="The host '%s' does not exist to add a service to."
            % host_fqdn)
    if not values['force'] and not directory.resolvable(host_fqdn):
        raise rpc.DNSNotARecordError(hostname=host_fqdn)
    if principal in directory.services:
        raise rpc.DuplicateEntry(
            message='service with name "%s" already exists' % principal)
    access.add(directory.service_dn(principal))
    owner = host_fqdn if host_fqdn in directory.hosts else None
    service = state.Service(principal, owner)
    for flag in service.flags:
        if values.get(flag) is not None:
            service.flags[flag] = values[flag]
    directory.services[principal] = service
    keys = ALL_KEYS if values['all'] else ADD_KEYS
    return {'result': view(directory, service, keys), 'value': principal,
            'summary': 'Added service "%s"' % principal}


def service_show(directory, values, messages, access):
    service = get_service(directory, values['krbcanonicalname'])
    keys = ALL_KEYS if values['all'] else SHOW_KEYS
    return {'result': view(directory, service, keys),
            'value': service.principal, 'summary': None}


def service_del(directory, values, messages, access):
    deleted, failed = [], []
    for value in values['krbcanonicalname']:
        try:
            service = get_service(directory, value)
            access.delete(directory.service_dn(service.principal))
            del directory.services[service.principal]
            deleted.append(service.principal)
        except rpc.IPAError:
            if not values['continue']:
                raise
            failed.append(value)
    return {'result': {'failed': failed}, 'value': deleted,
            'summary': 'Deleted service "%s"' % ','.join(deleted)}


def _service_matches(service, values):
    criteria = values.get('criteria')
    if criteria:
        needle = criteria.lower()
        haystack = [v.lower() for attr in ('krbprincipalname',
                                           'krbcanonicalname')
                    for v in service.attrs.get(attr, [])]
        if not any(needle in v for v in haystack):
            return False
    for attr in ('krbcanonicalname', 'krbprincipalname'):
        wanted = values.get(attr)
        if wanted is None:
            continue
        wanted = wanted if isinstance(wanted, list) else [wanted]
        have = {v.lower() for v in service.attrs.get(attr, [])}
        if not all(w.lower() in have for w in wanted):
            return False
    for fqdn in values.get('man_by_host') or []:
        if fqdn.lower() not in service.managedby:
            return False
    for fqdn in values.get('not_man_by_host') or []:
        if fqdn.lower() in service.managedby:
            return False
    return True


def service_find(directory, values, messages, access):
    found = sorted((s for s in directory.services.values()
                    if _service_matches(s, values)),
                   key=lambda s: s.principal)
    sizelimit = values.get('sizelimit')
    if sizelimit is None:
        sizelimit = DEFAULT_SIZELIMIT
    truncated = bool(sizelimit) and len(found) > sizelimit
    if truncated:
        found = found[:sizelimit]
        messages.append(rpc.search_result_truncated())
    if values['pkey_only']:
        keys = ('dn', 'krbcanonicalname')
    else:
        keys = (ALL_KEYS if values['all'] else FIND_KEYS)
        keys = tuple(k for k in keys if k not in ('has_keytab',
                                                  'managedby_host'))
        if not values['no_members']:
            keys += ('managedby_host',)
    entries = [view(directory, s, keys) for s in found]
    noun = 'service' if len(entries) == 1 else 'services'
    return {'result': entries, 'count': len(entries), 'truncated': truncated,
            'summary': '%d %s matched' % (len(entries), noun)}


def service_add_host(directory, values, messages, access):
    service = get_service(directory, values['krbcanonicalname'])
    completed, failed = 0, []
    for value in values.get('host') or []:
        fqdn = value.lower().rstrip('.')
        if fqdn not in directory.hosts:
            failed.append([value, 'no such entry'])
        elif fqdn in service.managedby:
            failed.append([value, rpc.AlreadyGroupMember().message])
        else:
            access.write(directory.service_dn(service.principal),
                         'managedBy')
            service.managedby.append(fqdn)
            completed += 1
    keys = ALL_KEYS if values['all'] else SHOW_KEYS
    return {'completed': completed,
            'failed': {'managedby': {'host': failed}},
            'result': view(directory, service, keys)}
