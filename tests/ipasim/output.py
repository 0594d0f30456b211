"""The output options every entry-returning command shares.

``no_members`` drops member attributes, ``rights`` (only together with
``all``) adds ``attributelevelrights``, and ``raw`` returns the entry as
LDAP holds it: attribute names in their schema case, member attributes as
DNs (``managedBy``) instead of ``managedby_host``, ``krbTicketFlags``
instead of the ``ipakrb*`` booleans, no DNS-name or datetime wrappers
(``ipa-jsonrpc.md`` §4, ``ipaserver/plugins/baseldap.py``).
"""

from tests.ipasim import rpc

MEMBER_KEYS = ('managedby_host', 'managing_host',
               'iparepltopomanagedsuffix_topologysuffix')
# Computed values that are not LDAP attributes, so they have no rights.
COMPUTED_KEYS = ('dn', 'has_keytab', 'has_password', 'randompassword',
                 'attributelevelrights') + MEMBER_KEYS
TICKET_FLAG_BITS = {'ipakrbrequirespreauth': 0x80,
                    'ipakrbokasdelegate': 0x100000,
                    'ipakrboktoauthasdelegate': 0x200000}
LDAP_NAMES = {name.lower(): name for name in (
    'objectClass', 'nsHostLocation', 'nsHardwarePlatform', 'nsOsVersion',
    'userClass', 'macAddress', 'krbPrincipalName', 'krbCanonicalName',
    'managedBy', 'ipaUniqueID', 'serverHostname', 'krbPwdPolicyReference',
    'krbLastPwdChange', 'userCertificate', 'ipaKrbAuthzData',
    'krbPrincipalAuthInd', 'krbTicketFlags', 'ipaSshPubKey',
    'ipaAssignedIDView', 'idnsName', 'aRecord', 'aAAARecord', 'a6Record',
    'aFSDBRecord', 'aPLRecord', 'cERTRecord', 'cNAMERecord', 'dHCIDRecord',
    'dLVRecord', 'dNAMERecord', 'dSRecord', 'hIPRecord', 'iPSECKEYRecord',
    'kEYRecord', 'kXRecord', 'lOCRecord', 'mXRecord', 'nAPTRRecord',
    'nSECRecord', 'nSRecord', 'pTRRecord', 'rPRecord', 'rRSIGRecord',
    'sIGRecord', 'sPFRecord', 'sRVRecord', 'sSHFPRecord', 'tLSARecord',
    'tXTRecord', 'uRIRecord', 'dNSTTL', 'dNSClass', 'idnsZoneActive',
    'idnsSOAmName', 'idnsSOArName', 'idnsSOAserial', 'idnsSOArefresh',
    'idnsSOAretry', 'idnsSOAexpire', 'idnsSOAminimum', 'idnsAllowQuery',
    'idnsAllowTransfer', 'idnsAllowDynUpdate', 'idnsAllowSyncPTR',
    'ipaMinDomainLevel', 'ipaMaxDomainLevel', 'ipaReplTopoManagedSuffix')}


def entries_of(output, signature):
    """The entries in a command's output, per its API.txt outputs."""
    kind = signature.outputs.get('result')
    if kind == 'Entry' and isinstance(output.get('result'), dict):
        return [output['result']]
    if kind == 'ListOfEntries':
        return output.get('result') or []
    return []


def apply(output, signature, values, directory, access):
    for entry in entries_of(output, signature):
        if values.get('no_members'):
            for key in MEMBER_KEYS:
                entry.pop(key, None)
        if values.get('rights') and values.get('all'):
            entry['attributelevelrights'] = {
                key: access.attribute_rights(entry.get('dn'), key)
                for key in entry if key not in COMPUTED_KEYS}
        if values.get('raw'):
            raw = _raw(entry, directory)
            entry.clear()
            entry.update(raw)


def _plain(value):
    if isinstance(value, (rpc.DNSName, rpc.DateTime)):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _raw(entry, directory):
    out = {}
    flags = {k: entry[k] for k in TICKET_FLAG_BITS if k in entry}
    if len(flags) == len(TICKET_FLAG_BITS):
        out['krbTicketFlags'] = [str(sum(
            bit for k, bit in TICKET_FLAG_BITS.items() if flags[k]))]
    for key, value in entry.items():
        if key in TICKET_FLAG_BITS or key == 'managing_host':
            continue
        if key == 'managedby_host':
            out['managedBy'] = [directory.host_dn(h) for h in value]
        elif key == 'iparepltopomanagedsuffix_topologysuffix':
            out['ipaReplTopoManagedSuffix'] = [
                'cn=%s,cn=topology,cn=ipa,cn=etc,%s' % (s, directory.basedn)
                for s in value]
        else:
            out[LDAP_NAMES.get(key, key)] = _plain(value)
    return out
