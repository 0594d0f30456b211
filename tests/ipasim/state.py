"""The simulated directory: hosts, services and DNS, in memory.

One re-entrant lock guards everything; a command holds it for its whole
run, so each command is atomic (as one LDAP operation would be) and a batch
is not (as in FreeIPA, whose batch has no transaction).
"""

import datetime
import threading
import uuid

from tests.ipasim import rpc

HOST_OBJECTCLASSES = [
    'ipaobject', 'nshost', 'ipahost', 'pkiuser', 'ipaservice',
    'krbprincipalaux', 'krbprincipal', 'ieee802device', 'ipasshhost',
    'top', 'ipaSshGroupOfPubKeys']
SERVICE_OBJECTCLASSES = [
    'krbprincipal', 'krbprincipalaux', 'krbticketpolicyaux', 'ipaobject',
    'ipaservice', 'pkiuser', 'ipakrbprincipal', 'top']
RECORD_OBJECTCLASSES = ['top', 'idnsrecord']


def generalized_time_now():
    now = datetime.datetime.now(datetime.timezone.utc)
    return rpc.DateTime(now.strftime('%Y%m%d%H%M%SZ'))


class Host(object):
    """A host entry. ``attrs`` holds LDAP-style lists; secrets and
    enrollment state are kept apart so they cannot leak into output.
    """

    def __init__(self, fqdn, realm):
        self.fqdn = fqdn
        self.attrs = {'fqdn': [fqdn], 'cn': [fqdn],
                      'serverhostname': [fqdn.split('.')[0]],
                      'objectclass': list(HOST_OBJECTCLASSES),
                      'ipauniqueid': [str(uuid.uuid4())],
                      'managedby': [fqdn]}
        self.flags = {'ipakrbokasdelegate': False,
                      'ipakrbrequirespreauth': True,
                      'ipakrboktoauthasdelegate': False}
        self.realm = realm
        self.userpassword = None
        self.keytab = False
        self.ipa_master = False

    @property
    def principal(self):
        return 'host/%s@%s' % (self.fqdn, self.realm)

    @property
    def has_password(self):
        return self.userpassword is not None

    @property
    def has_keytab(self):
        # FreeIPA forces has_keytab false while a password is set.
        return self.keytab and not self.has_password

    @property
    def enrolled(self):
        return self.has_keytab

    def set_principal(self):
        self.attrs['krbprincipalname'] = [self.principal]
        self.attrs['krbcanonicalname'] = [self.principal]

    def mark_enrolled(self):
        """What ipa-join and the pwd-extop plugin leave behind."""
        self.set_principal()
        self.keytab = True
        self.userpassword = None
        self.attrs['krblastpwdchange'] = [generalized_time_now()]

    def remove_keytab(self):
        """``ldap2.remove_principal_key``: krbPrincipalKey and
        krbLastPwdChange go.
        """
        self.keytab = False
        self.attrs.pop('krblastpwdchange', None)


class Service(object):
    def __init__(self, principal, host_fqdn):
        self.principal = principal
        self.host_fqdn = host_fqdn
        self.attrs = {'krbprincipalname': [principal],
                      'krbcanonicalname': [principal],
                      'objectclass': list(SERVICE_OBJECTCLASSES),
                      'ipauniqueid': [str(uuid.uuid4())]}
        self.managedby = [host_fqdn] if host_fqdn else []
        self.keytab = False
        self.flags = {'ipakrbokasdelegate': False,
                      'ipakrbrequirespreauth': True,
                      'ipakrboktoauthasdelegate': False}

    @property
    def hostname(self):
        """The host part of the principal, whether that host exists or
        not.
        """
        return self.principal.split('/', 1)[1].split('@', 1)[0]


class Directory(object):
    def __init__(self, realm, domain, server_name):
        self.lock = threading.RLock()
        self.realm = realm
        self.domain = domain.lower().rstrip('.')
        self.server_name = server_name
        self.basedn = ','.join('dc=%s' % p for p in self.domain.split('.'))
        # nsslapd-sizelimit: None for none (the control endpoint sets it).
        self.directory_sizelimit = None
        self.reset()

    def reset(self):
        with self.lock:
            self.hosts = {}
            self.host_visits = 0
            self.services = {}
            # Permissions, privileges, roles: built by tests/ipasim/rbac.py.
            self.rbac = None
            apex_ns = self.server_name.rstrip('.') + '.'
            self.zones = {self.domain + '.': {'@': {'nsrecord': [apex_ns]}}}
            self._add_server_host()

    def _add_server_host(self):
        """The server's own host entry, as every FreeIPA server has one:
        enrolled, an IPA master (host_del and host_disable refuse it).
        """
        fqdn = self.server_name.lower().rstrip('.')
        master = Host(fqdn, self.realm)
        master.mark_enrolled()
        master.ipa_master = True
        self.hosts[fqdn] = master

    # Distinguished names.

    def host_dn(self, fqdn):
        return 'fqdn=%s,cn=computers,cn=accounts,%s' % (fqdn, self.basedn)

    def service_dn(self, principal):
        return 'krbprincipalname=%s,cn=services,cn=accounts,%s' % (
            principal, self.basedn)

    def zone_dn(self, zone):
        return 'idnsname=%s,cn=dns,%s' % (zone, self.basedn)

    def record_dn(self, zone, name):
        return 'idnsname=%s,%s' % (name, self.zone_dn(zone))

    def password_policy_dn(self):
        return ('cn=Default Host Password Policy,cn=computers,cn=accounts,%s'
                % self.basedn)

    # DNS lookups used by host and service commands.

    def zone_of(self, fqdn):
        """(zone, relative name) of the longest zone holding ``fqdn``."""
        absolute = fqdn.rstrip('.') + '.'
        best = None
        for zone in self.zones:
            if absolute == zone or absolute.endswith('.' + zone):
                if best is None or len(zone) > len(best):
                    best = zone
        if best is None:
            return None, None
        if absolute == best:
            return best, '@'
        return best, absolute[:-len(best) - 1]

    def resolvable(self, fqdn):
        """Whether the simulated DNS has an A or AAAA record for ``fqdn``.

        Stands in for FreeIPA's real DNS query in ``verify_host_resolvable``.
        """
        zone, name = self.zone_of(fqdn)
        if zone is None:
            return False
        record = self.zones[zone].get(name, {})
        return bool(record.get('arecord') or record.get('aaaarecord'))

    def each_host(self):
        """Every host entry, each visit counted in ``host_visits``.

        Every scan of the hosts goes through here, so the count shows how
        a command's cost grows with the directory (``GET /stats``).
        """
        for host in list(self.hosts.values()):
            self.host_visits += 1
            yield host

    def masters(self):
        """Names of the IPA servers: this one and seeded masters."""
        names = {self.server_name}
        names.update(h.fqdn for h in self.each_host() if h.ipa_master)
        return sorted(names)

    def managing_hosts(self, fqdn):
        return self.managing_index().get(fqdn, [])

    def managing_index(self):
        """``{fqdn: [hosts it manages]}``, the reverse of ``managedby``, in
        one scan: a command showing ``managing_host`` of many entries
        builds it once (FreeIPA reads it from an indexed attribute).
        """
        index = {}
        for host in self.each_host():
            for manager in host.attrs.get('managedby', []):
                index.setdefault(manager, []).append(host.fqdn)
        for managed in index.values():
            managed.sort()
        return index
