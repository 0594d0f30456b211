"""service_add, service_mod, service_del, service_show, service_find,
service_disable, service_add_host and service_remove_host.
"""

from tests.ipasim import members
from tests.ipasim import params
from tests.ipasim import rpc
from tests.ipasim import search
from tests.ipasim import state

# Services of an IPA master that service_disable refuses
# (``check_required_principal``).
MASTER_SERVICES = ('HTTP', 'ldap', 'DNS', 'dogtagldap')
# Attributes service_mod writes, from options or *attr specs.
MOD_ATTRS = ('ipakrbauthzdata', 'krbprincipalauthind')
SHOW_KEYS = ('dn', 'krbprincipalname', 'krbcanonicalname', 'managedby_host',
             'ipakrbauthzdata', 'krbprincipalauthind', 'usercertificate',
             'has_keytab')
ADD_KEYS = ('dn', 'krbprincipalname', 'krbcanonicalname', 'managedby_host',
            'ipakrbauthzdata', 'krbprincipalauthind', 'usercertificate',
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


def principal_aliases(directory, requested, canonical):
    """The principal names an entry will have; the canonical one must stay
    (``ensure_last_krbprincipalname``).
    """
    aliases = [parse_principal(directory, v)[0] for v in requested]
    if canonical is not None and canonical not in aliases:
        raise rpc.ValidationError(
            name='krbprincipalname',
            error='at least one value equal to the canonical principal name '
                  'must be present')
    return aliases


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
            out[key] = service.keytab
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
    service.attrs, service.flags = _changed_attrs(directory, service, values)
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
    for attr in ('krbcanonicalname', 'krbprincipalname', 'ipakrbauthzdata',
                 'krbprincipalauthind'):
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
    found, truncated = search.limit(found, values, messages,
                                    directory)
    if values['pkey_only']:
        keys = ('dn', 'krbcanonicalname')
    else:
        keys = (ALL_KEYS if values['all'] else FIND_KEYS)
        keys = tuple(k for k in keys if k not in ('has_keytab',
                                                  'managedby_host'))
        if not values['no_members']:
            keys += ('managedby_host',)
    entries = [view(directory, s, keys) for s in found]
    return search.output(entries, truncated, 'service', 'services')


def _member_output(directory, service, values, completed, failed):
    keys = ALL_KEYS if values['all'] else SHOW_KEYS
    keys = tuple(k for k in keys if k != 'has_keytab')
    return {'completed': completed, 'failed': failed,
            'result': view(directory, service, keys)}


def _managedby_writer(directory, service, access):
    def write():
        access.write(directory.service_dn(service.principal), 'managedBy')
    return write


def service_add_host(directory, values, messages, access):
    service = get_service(directory, values['krbcanonicalname'])
    completed, failed = members.add_managing_hosts(
        directory, service.managedby, values.get('host'),
        _managedby_writer(directory, service, access))
    return _member_output(directory, service, values, completed, failed)


def service_remove_host(directory, values, messages, access):
    service = get_service(directory, values['krbcanonicalname'])
    completed, failed = members.remove_managing_hosts(
        service.managedby, values.get('host'),
        _managedby_writer(directory, service, access))
    return _member_output(directory, service, values, completed, failed)


def disable(directory, service, access):
    """Drop the service's certificates and keytab; whether there were
    any.
    """
    dn = directory.service_dn(service.principal)
    done_work = False
    if service.attrs.get('usercertificate'):
        access.write(dn, 'userCertificate')
        del service.attrs['usercertificate']
        done_work = True
    if service.keytab:
        access.write(dn, 'krbPrincipalKey')
        service.keytab = False
        done_work = True
    return done_work


def service_disable(directory, values, messages, access):
    service = get_service(directory, values['krbcanonicalname'])
    host = directory.hosts.get(service.hostname)
    kind = service.principal.split('/', 1)[0]
    if host is not None and host.ipa_master and kind in MASTER_SERVICES:
        raise rpc.ValidationError(
            name='principal', error='This principal is required by the IPA '
                                    'master')
    if not disable(directory, service, access):
        raise rpc.AlreadyInactive()
    return {'result': True, 'value': service.principal,
            'summary': 'Disabled service "%s"' % service.principal}


def _changed_attrs(directory, service, values):
    """(attrs, flags) as service_add/service_mod leave them."""
    attrs = {k: list(v) for k, v in service.attrs.items()}
    flags = dict(service.flags)
    for name in MOD_ATTRS + ('usercertificate',):
        if values.get(name) is not None:
            attrs[name] = [v for v in values[name] if v]
    for name in flags:
        if values.get(name) is not None:
            flags[name] = values[name]
    if values.get('krbprincipalname') is not None:
        attrs['krbprincipalname'] = principal_aliases(
            directory, values['krbprincipalname'], service.principal)
    for spec in values.get('setattr') or []:
        name, value = params.attr_spec('setattr', spec, MOD_ATTRS)
        attrs[name] = [value] if value else []
    for spec in values.get('addattr') or []:
        name, value = params.attr_spec('addattr', spec, MOD_ATTRS)
        attrs.setdefault(name, []).append(value)
    for spec in values.get('delattr') or []:
        name, value = params.attr_spec('delattr', spec, MOD_ATTRS)
        if value not in attrs.get(name, []):
            raise rpc.AttrValueNotFound(attr=name, value=value)
        attrs[name].remove(value)
    return {k: v for k, v in attrs.items() if v}, flags


def service_mod(directory, values, messages, access):
    service = get_service(directory, values['krbcanonicalname'])
    attrs, flags = _changed_attrs(directory, service, values)
    if attrs == service.attrs and flags == service.flags:
        raise rpc.EmptyModlist()
    changed = sorted(k for k in set(attrs) | set(service.attrs)
                     if attrs.get(k) != service.attrs.get(k))
    changed += sorted(k for k in flags if flags[k] != service.flags[k])
    access.write(directory.service_dn(service.principal), changed)
    service.attrs, service.flags = attrs, flags
    keys = ALL_KEYS if values['all'] else tuple(
        k for k in SHOW_KEYS if k != 'dn')
    return {'result': view(directory, service, keys),
            'value': service.principal,
            'summary': 'Modified service "%s"' % service.principal}
