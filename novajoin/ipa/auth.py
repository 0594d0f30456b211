"""The two ways of logging in to IPA; each yields an ``ipa_session``.

The transport calls ``login(post, base_url)``: ``post(url, **kwargs)`` sends
one request within the caller's deadline and returns the response, whose
status the transport interprets.
"""

import os
import uuid

import gssapi
import requests_gssapi
from requests_gssapi import exceptions as gssapi_http_errors

from novajoin.ipa import errors
from novajoin.ipa import redaction


class PasswordLogin(object):
    """``/ipa/session/login_password`` with a form-encoded user/password."""

    path = '/session/login_password'

    def __init__(self, user, password):
        if not user or not password:
            raise errors.IPAConfigurationError(
                '[ipa] auth_method = password needs [ipa] user and '
                '[ipa] password')
        self.user = user
        self._password = password

    def login(self, post, base_url):
        return post(base_url + self.path,
                    data={'user': self.user, 'password': self._password})

    def __repr__(self):
        return 'PasswordLogin(user=%r)' % self.user


class KerberosLogin(object):
    """``/ipa/session/login_kerberos`` with SPNEGO, from a keytab.

    Credentials go to a ccache private to this object, so neither the
    process environment nor the default ccache is touched.
    """

    path = '/session/login_kerberos'

    def __init__(self, keytab, principal=None):
        if not keytab:
            raise errors.IPAConfigurationError(
                '[ipa] auth_method = kerberos needs [ipa] keytab')
        self.keytab = keytab
        self.principal = principal
        self._ccache = 'MEMORY:novajoin-%s' % uuid.uuid4().hex
        redaction.install_negotiate_filter()

    def _credentials(self):
        if not os.access(self.keytab, os.R_OK):
            raise errors.IPAAuthenticationError(
                'keytab %s is missing or not readable' % self.keytab,
                reason='keytab')
        name = None
        if self.principal:
            name = gssapi.Name(self.principal,
                               gssapi.NameType.kerberos_principal)
        return gssapi.Credentials(
            name=name, usage='initiate',
            store={'client_keytab': self.keytab, 'ccache': self._ccache})

    def login(self, post, base_url):
        try:
            auth = requests_gssapi.HTTPSPNEGOAuth(
                creds=self._credentials(), opportunistic_auth=True)
            return post(base_url + self.path, auth=auth)
        except (gssapi.exceptions.GSSError,
                gssapi_http_errors.SPNEGOExchangeError) as exc:
            raise errors.IPAAuthenticationError(
                'Kerberos login as %s with keytab %s failed: %s' % (
                    self.principal or 'the keytab\'s first principal',
                    self.keytab, exc), reason='kerberos')

    def __repr__(self):
        return 'KerberosLogin(principal=%r, keytab=%r)' % (self.principal,
                                                           self.keytab)


def from_conf(ipa_conf):
    if ipa_conf.auth_method == 'password':
        return PasswordLogin(ipa_conf.user, ipa_conf.password)
    return KerberosLogin(ipa_conf.keytab, ipa_conf.principal)
