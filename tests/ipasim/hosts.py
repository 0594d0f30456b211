"""host_add, host_mod, host_show, host_find, host_del, host_disable, the
managedby member commands and the ipa-join step.

Semantics follow ``ipa-jsonrpc.md`` sections 4 (host commands) and 5
(enrollment lifecycle); the signatures are in :mod:`tests.ipasim.commands`.
"""

import hmac
import ipaddress
import re
import secrets
import string

from tests.ipasim import dns
from tests.ipasim import members
from tests.ipasim import params
from tests.ipasim import rpc
from tests.ipasim import search
from tests.ipasim import services
from tests.ipasim import state

MAX_HOSTNAME_LENGTH = 64  # ipamaxhostnamelength in FreeIPA's default config
OTP_LENGTH = 24
OTP_ALPHABET = string.ascii_letters + string.digits

# Plain writable attributes, each with its option kind.
SINGLE_VALUED = ('description', 'l', 'nshostlocation', 'nshardwareplatform',
                 'nsosversion', 'ipaassignedidview')
TEXT_MULTI_VALUED = ('macaddress', 'userclass', 'krbprincipalauthind',
                     'ipasshpubkey')
MULTI_VALUED = TEXT_MULTI_VALUED + ('usercertificate',)
FLAG_ATTRS = ('ipakrbokasdelegate', 'ipakrbrequirespreauth',
              'ipakrboktoauthasdelegate')
SETATTR_ALLOWED = SINGLE_VALUED + TEXT_MULTI_VALUED + ('userpassword',)

SHOW_KEYS = ('dn', 'fqdn', 'description', 'l', 'nshostlocation',
             'nshardwareplatform', 'nsosversion', 'userclass', 'macaddress',
             'krbprincipalname', 'krbcanonicalname', 'managedby_host',
             'usercertificate', 'krbprincipalauthind', 'ipaassignedidview',
             'has_keytab', 'has_password')
ALL_KEYS = SHOW_KEYS + ('cn', 'objectclass', 'ipauniqueid', 'serverhostname',
                        'managing_host', 'krbpwdpolicyreference',
                        'krblastpwdchange', 'ipasshpubkey') + FLAG_ATTRS
ADD_KEYS = SHOW_KEYS + ('objectclass', 'ipauniqueid')
# LDAPAddMember/LDAPRemoveMember return the entry with its dn but without
# host_show's computed has_keytab/has_password.
MEMBER_KEYS = tuple(k for k in SHOW_KEYS
                    if k not in ('has_keytab', 'has_password'))
MEMBER_ALL_KEYS = tuple(k for k in ALL_KEYS
                        if k not in ('has_keytab', 'has_password'))
FIND_KEYS = tuple(k for k in SHOW_KEYS
                  if k not in ('has_keytab', 'has_password',
                               'managedby_host'))
FIND_ALL_KEYS = tuple(k for k in ALL_KEYS
                      if k not in ('has_keytab', 'has_password',
                                   'managedby_host'))
CRITERIA_ATTRS = ('fqdn', 'description', 'l', 'nshostlocation',
                  'krbcanonicalname', 'krbprincipalname',
                  'nshardwareplatform', 'nsosversion', 'managedby')
FIND_EXACT_OPTIONS = ('fqdn',) + SINGLE_VALUED + MULTI_VALUED
# Find options naming groups, rules and enrolling users the simulator has
# none of: such a filter matches no host, its ``not_`` form every host.
UNMATCHABLE_FILTERS = ('in_hbacrule', 'in_hostgroup', 'in_netgroup',
                       'in_role', 'in_sudorule', 'enroll_by_user')

_LABEL = re.compile(r'^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$')


def generate_otp():
    return ''.join(secrets.choice(OTP_ALPHABET) for _ in range(OTP_LENGTH))


def normalize_fqdn(value):
    """Lowercase, strip a trailing dot, validate like FreeIPA's hostname
    parameter; ValidationError named ``hostname`` otherwise.
    """
    fqdn = value.lower().rstrip('.')
    labels = fqdn.split('.') if fqdn else []
    if len(labels) < 2:
        raise rpc.ValidationError(
            name='hostname', error='invalid domain-name: not fully qualified')
    if not all(_LABEL.match(label) for label in labels):
        raise rpc.ValidationError(
            name='hostname',
            error="invalid domain-name: only letters, numbers, '_', '-' are "
                  "allowed. DNS label may not start or end with '-'")
    return fqdn


def _host_not_found(fqdn):
    return rpc.NotFound(reason='%s: host not found' % fqdn)


def get_host(directory, fqdn):
    host = directory.hosts.get(fqdn.lower().rstrip('.'))
    if host is None:
        raise _host_not_found(fqdn)
    return host


def view(directory, host, keys, managing=None):
    """The entry as FreeIPA returns it: lists for LDAP values, scalars for
    computed ones, unset attributes omitted, userpassword never.

    ``managing`` is :meth:`state.Directory.managing_index`, when a command
    shows many entries (built once, not once per entry).
    """
    out = {}
    for key in keys:
        if key == 'dn':
            out['dn'] = directory.host_dn(host.fqdn)
        elif key == 'has_keytab':
            out[key] = host.has_keytab
        elif key == 'has_password':
            out[key] = host.has_password
        elif key == 'managedby_host':
            if host.attrs.get('managedby'):
                out[key] = list(host.attrs['managedby'])
        elif key == 'managing_host':
            if managing is None:
                managed = directory.managing_hosts(host.fqdn)
            else:
                managed = managing.get(host.fqdn)
            if managed:
                out[key] = list(managed)
        elif key == 'krbpwdpolicyreference':
            out[key] = [directory.password_policy_dn()]
        elif key in FLAG_ATTRS:
            out[key] = host.flags[key]
        elif host.attrs.get(key):
            out[key] = list(host.attrs[key])
    return out


class _Changes(object):
    """Pending attribute values for host_add/host_mod, with the password
    kept apart from the attributes that are ever shown.
    """

    def __init__(self, host):
        self.attrs = {k: list(v) for k, v in host.attrs.items()}
        self.flags = dict(host.flags)
        self.password = None
        self.password_requested = False

    def set(self, name, values):
        if name == 'userpassword':
            self.password_requested = True
            self.password = values[-1] if values else None
            return
        if values:
            self.attrs[name] = list(values)
        else:
            self.attrs.pop(name, None)

    def apply_options(self, values):
        for name in SINGLE_VALUED:
            if values.get(name) is not None:
                self.set(name, [values[name]] if values[name] else [])
        for name in MULTI_VALUED:
            if values.get(name) is not None:
                self.set(name, [v for v in values[name] if v])
        for name in FLAG_ATTRS:
            if values.get(name) is not None:
                self.flags[name] = values[name]
        for spec in values.get('setattr') or []:
            name, value = params.attr_spec('setattr', spec, SETATTR_ALLOWED)
            self.set(name, [value] if value else [])
        for spec in values.get('addattr') or []:
            name, value = params.attr_spec('addattr', spec, SETATTR_ALLOWED)
            if name == 'userpassword':
                self.set(name, [value])
            elif name in SINGLE_VALUED and self.attrs.get(name):
                raise rpc.ValidationError(
                    name=name, error='Only one value allowed.')
            else:
                self.attrs.setdefault(name, []).append(value)
        for spec in values.get('delattr') or []:
            name, value = params.attr_spec('delattr', spec, SETATTR_ALLOWED)
            current = self.attrs.get(name, [])
            if value not in current:
                raise rpc.AttrValueNotFound(attr=name, value=value)
            self.set(name, [v for v in current if v != value])
        if values.get('userpassword') is not None:
            self.set('userpassword', [values['userpassword']])
        if values.get('random'):
            self.password_requested = True
            self.password = generate_otp()


def _changed_names(host, changes):
    """The LDAP attributes a modify would write, the first one first."""
    names = ['userPassword'] if changes.password_requested else []
    names += [name for name in sorted(set(changes.attrs) | set(host.attrs))
              if changes.attrs.get(name) != host.attrs.get(name)]
    names += [name for name in sorted(changes.flags)
              if changes.flags[name] != host.flags[name]]
    return names or ['objectClass']


def host_add(directory, values, messages, access):
    fqdn = normalize_fqdn(values['fqdn'])
    if len(fqdn) > MAX_HOSTNAME_LENGTH:
        raise rpc.ValidationError(
            name='hostname',
            error='can be at most %d characters' % MAX_HOSTNAME_LENGTH)
    ip_address = values.get('ip_address')
    zone = None
    if ip_address is not None:
        try:
            ipaddress.ip_address(ip_address)
        except ValueError:
            raise rpc.ValidationError(name='ip_address',
                                      error='invalid IP address format')
        zone, record_name = directory.zone_of(fqdn)
        if zone is None:
            raise rpc.NotFound(reason='DNS zone %s. not found'
                               % fqdn.split('.', 1)[1])
        if not values['no_reverse']:
            dns.refuse_existing_reverse(directory, ip_address)
    elif not values['force'] and not directory.resolvable(fqdn):
        raise rpc.DNSNotARecordError(hostname=fqdn)
    if fqdn in directory.hosts:
        raise rpc.DuplicateEntry(
            message='host with name "%s" already exists' % fqdn)

    access.add(directory.host_dn(fqdn))
    host = state.Host(fqdn, directory.realm)
    changes = _Changes(host)
    changes.apply_options(values)
    host.attrs, host.flags = changes.attrs, changes.flags
    host.userpassword = changes.password
    if not host.has_password:
        host.set_principal()
    directory.hosts[fqdn] = host
    if zone is not None:
        dns.add_address(directory, zone, record_name, ip_address)
        if not values['no_reverse']:
            dns.add_reverse_if_zone(directory, ip_address, fqdn)

    keys = ALL_KEYS if values['all'] else ADD_KEYS
    result = view(directory, host, keys)
    if values.get('random'):
        result['randompassword'] = host.userpassword
    return {'result': result, 'value': fqdn,
            'summary': 'Added host "%s"' % fqdn}


def host_mod(directory, values, messages, access):
    host = get_host(directory, values['fqdn'])
    changes = _Changes(host)
    changes.apply_options(values)
    if values.get('krbprincipalname') is not None:
        canonical = host.attrs.get('krbcanonicalname', [None])[0]
        changes.attrs['krbprincipalname'] = services.principal_aliases(
            directory, values['krbprincipalname'], canonical)
    if changes.password_requested and host.enrolled:
        raise rpc.ValidationError(
            name='password', error='Password cannot be set on enrolled host.')
    if (changes.attrs == host.attrs and changes.flags == host.flags
            and not changes.password_requested):
        raise rpc.EmptyModlist()
    access.write(directory.host_dn(host.fqdn), _changed_names(host, changes))
    host.attrs, host.flags = changes.attrs, changes.flags
    if changes.password_requested:
        host.userpassword = changes.password

    keys = ALL_KEYS if values['all'] else tuple(
        k for k in SHOW_KEYS if k != 'dn')
    result = view(directory, host, keys)
    if values.get('random'):
        result['randompassword'] = host.userpassword
    return {'result': result, 'value': host.fqdn,
            'summary': 'Modified host "%s"' % host.fqdn}


def host_show(directory, values, messages, access):
    host = get_host(directory, values['fqdn'])
    keys = ALL_KEYS if values['all'] else SHOW_KEYS
    return {'result': view(directory, host, keys), 'value': host.fqdn,
            'summary': None}


def _relations_match(host, values, managing):
    if any(values.get(name) for name in UNMATCHABLE_FILTERS):
        return False
    related = {
        'managed_by': lambda: set(host.attrs.get('managedby', [])),
        'managing': lambda: set(managing().get(host.fqdn, [])),
    }
    for option, relation, wanted in (
            ('man_by_host', 'managed_by', True),
            ('not_man_by_host', 'managed_by', False),
            ('man_host', 'managing', True),
            ('not_man_host', 'managing', False)):
        names = values.get(option) or []
        if not names:
            continue
        members = related[relation]()
        for fqdn in names:
            if (fqdn.lower().rstrip('.') in members) != wanted:
                return False
    return True


def _matches(host, values, managing):
    if not _relations_match(host, values, managing):
        return False
    criteria = values.get('criteria')
    if criteria:
        needle = criteria.lower()
        haystack = [v.lower() for attr in CRITERIA_ATTRS
                    for v in host.attrs.get(attr, [])]
        if not any(needle in v for v in haystack):
            return False
    for attr in FIND_EXACT_OPTIONS:
        wanted = values.get(attr)
        if wanted is None:
            continue
        wanted = wanted if isinstance(wanted, list) else [wanted]
        have = {_folded(v) for v in host.attrs.get(attr, [])}
        if not all(_folded(w) in have for w in wanted):
            return False
    return True


def _folded(value):
    return value.lower() if isinstance(value, str) else value


class _LazyIndex(object):
    """:meth:`state.Directory.managing_index`, built at most once per
    command and only if a filter or an output key needs it.
    """

    def __init__(self, directory):
        self._directory = directory
        self._index = None

    def __call__(self):
        if self._index is None:
            self._index = self._directory.managing_index()
        return self._index


def host_find(directory, values, messages, access):
    managing = _LazyIndex(directory)
    hosts = sorted((h for h in directory.each_host()
                    if _matches(h, values, managing)), key=lambda h: h.fqdn)
    hosts, truncated = search.limit(hosts, values, messages,
                                    directory)
    if values['pkey_only']:
        keys = ('dn', 'fqdn')
    else:
        keys = FIND_ALL_KEYS if values['all'] else FIND_KEYS
        if values['no_members']:
            # Member attributes are not computed at all (FreeIPA skips
            # their processing), not computed and then dropped.
            keys = tuple(k for k in keys if k != 'managing_host')
        else:
            keys += ('managedby_host',)
    index = managing() if 'managing_host' in keys and hosts else None
    entries = [view(directory, h, keys, index) for h in hosts]
    return search.output(entries, truncated, 'host', 'hosts')


def _refuse_master(host):
    if host.ipa_master:
        raise rpc.ValidationError(
            name='hostname',
            error='An IPA master host cannot be deleted or disabled')


def _delete_one(directory, fqdn, updatedns, messages, access):
    host = get_host(directory, fqdn)
    _refuse_master(host)
    access.delete(directory.host_dn(host.fqdn))
    # FreeIPA deletes the host's services with service_del first, with the
    # caller's rights.
    owned = [p for p, s in directory.services.items()
             if s.host_fqdn == host.fqdn]
    for principal in owned:
        access.delete(directory.service_dn(principal))
    for principal in owned:
        del directory.services[principal]
    del directory.hosts[host.fqdn]
    members.forget_host(directory, host.fqdn)
    if updatedns:
        reason = dns.remove_host_records(directory, host.fqdn, access)
        if reason is not None:
            messages.append(
                rpc.failed_to_remove_host_dns_records(host.fqdn, reason))
    return host.fqdn


def host_del(directory, values, messages, access):
    deleted, failed = [], []
    for fqdn in values['fqdn']:
        try:
            deleted.append(_delete_one(directory, fqdn, values['updatedns'],
                                       messages, access))
        except rpc.IPAError:
            if not values['continue']:
                raise
            failed.append(fqdn)
    return {'result': {'failed': failed}, 'value': deleted,
            'summary': 'Deleted host "%s"' % ','.join(deleted)}


def host_disable(directory, values, messages, access):
    """Disable the host's services, drop its certificates and keytab.

    AlreadyInactive when none of these had anything to do. The entry is
    then like a host added without a password, so an OTP may be set again.
    """
    host = get_host(directory, values['fqdn'])
    _refuse_master(host)
    done_work = False
    for service in sorted(directory.services.values(),
                          key=lambda s: s.principal):
        if service.hostname == host.fqdn:
            done_work |= services.disable(directory, service, access)
    dn = directory.host_dn(host.fqdn)
    if host.attrs.get('usercertificate'):
        access.write(dn, 'userCertificate')
        del host.attrs['usercertificate']
        done_work = True
    if host.keytab:
        access.write(dn, 'krbPrincipalKey')
        host.remove_keytab()
        done_work = True
    if not done_work:
        raise rpc.AlreadyInactive()
    return {'result': True, 'value': host.fqdn,
            'summary': 'Disabled host "%s"' % host.fqdn}


def _managedby_change(directory, values, access, change):
    host = get_host(directory, values['fqdn'])
    managedby = host.attrs.setdefault('managedby', [])

    def write():
        access.write(directory.host_dn(host.fqdn), 'managedBy')

    completed, failed = change(managedby, values.get('host'), write)
    if not managedby:
        del host.attrs['managedby']
    keys = MEMBER_ALL_KEYS if values['all'] else MEMBER_KEYS
    return {'completed': completed, 'failed': failed,
            'result': view(directory, host, keys)}


def host_add_managedby(directory, values, messages, access):
    def add(managedby, requested, write):
        return members.add_managing_hosts(directory, managedby, requested,
                                          write)
    return _managedby_change(directory, values, access, add)


def host_remove_managedby(directory, values, messages, access):
    return _managedby_change(directory, values, access,
                             members.remove_managing_hosts)


class JoinRefused(Exception):
    """The ipa-join step was refused; ``status`` is the admin HTTP code."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def enroll(directory, fqdn, otp):
    """Play ipa-join: bind with the OTP, get a keytab, lose the OTP."""
    with directory.lock:
        host = directory.hosts.get(fqdn.lower().rstrip('.'))
        if host is None:
            raise JoinRefused(404, 'host %s not found' % fqdn)
        if host.enrolled:
            raise JoinRefused(409, 'host %s is already enrolled' % fqdn)
        if not host.has_password:
            raise JoinRefused(403, 'host %s has no one-time password' % fqdn)
        if not hmac.compare_digest(host.userpassword.encode(),
                                   str(otp).encode()):
            raise JoinRefused(403, 'one-time password does not match for '
                                   'host %s' % fqdn)
        host.mark_enrolled()
        return host.fqdn


def seed(directory, fqdn, description=None, enrolled=False,
         ipa_master=False):
    """A host entry made outside novajoin's path (admin endpoint)."""
    fqdn = normalize_fqdn(fqdn)
    with directory.lock:
        if fqdn in directory.hosts:
            raise rpc.DuplicateEntry(
                message='host with name "%s" already exists' % fqdn)
        host = state.Host(fqdn, directory.realm)
        if description:
            host.attrs['description'] = [description]
        host.set_principal()
        if enrolled or ipa_master:
            host.mark_enrolled()
        host.ipa_master = bool(ipa_master)
        directory.hosts[fqdn] = host
        return host
