"""Write access of the calling principal, as 389-ds enforces it.

``admin`` and Kerberos principals may do everything. A login user added
through the admin endpoint with ``"read_only": true`` holds only the
read permissions every authenticated principal has (``System: Read
Hosts``, ...): each LDAP write a command attempts then fails with
ACIError 2100 (``ipa-jsonrpc.md`` sections 3 and 6), at the point where
FreeIPA would send it to LDAP, so the checks a command makes before its
write (NotFound, DuplicateEntry, EmptyModlist, ...) still come first.
"""

from tests.ipasim import rpc


class Access(object):
    def __init__(self, read_only=False):
        self.read_only = read_only

    def _deny(self, info):
        if self.read_only:
            raise rpc.ACIError(info=info)

    def add(self, dn):
        self._deny("Insufficient 'add' privilege to add the entry '%s'."
                   % dn)

    def write(self, dn, attr):
        self._deny("Insufficient 'write' privilege to the '%s' attribute of "
                   "entry '%s'." % (attr, dn))

    def delete(self, dn):
        self._deny("Insufficient 'delete' privilege to delete the entry "
                   "'%s'." % dn)


FULL = Access(read_only=False)
