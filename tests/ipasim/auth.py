"""Logins and sessions: ``login_password``, ``login_kerberos``, cookies.

A session is an opaque random token in the ``ipa_session`` cookie mapped to
the principal that logged in. Nothing here logs a password, token or
cookie.
"""

import base64
import hmac
import secrets
import threading
import urllib.parse

import gssapi

from tests.ipasim import access

COOKIE_NAME = 'ipa_session'
COOKIE_ATTRIBUTES = 'path=/ipa; httponly; secure; SameSite=strict'


class LoginRejected(Exception):
    """A failed login: HTTP ``status``, X-IPA-Rejection-Reason ``reason``
    (None for plain 400s), and a short human ``detail``.
    """

    def __init__(self, status, detail, reason=None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reason = reason


class SessionStore(object):
    def __init__(self):
        self._lock = threading.Lock()
        self._sessions = {}

    def create(self, principal):
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[token] = principal
        return token

    def principal(self, token):
        if token is None:
            return None
        with self._lock:
            return self._sessions.get(token)

    def end(self, token):
        with self._lock:
            self._sessions.pop(token, None)

    def expire_all(self):
        with self._lock:
            self._sessions.clear()


def session_cookie(token):
    return '%s=MagBearerToken=%s; %s' % (COOKIE_NAME, token, COOKIE_ATTRIBUTES)


def cleared_session_cookie():
    return '%s=MagBearerToken=; %s' % (COOKIE_NAME, COOKIE_ATTRIBUTES)


def token_from_cookie_header(header):
    """The session token in a Cookie header, or None."""
    if not header:
        return None
    for part in header.split(';'):
        name, sep, value = part.strip().partition('=')
        if sep and name == COOKIE_NAME:
            value = value.strip('"')
            prefix = 'MagBearerToken='
            if value.startswith(prefix):
                value = value[len(prefix):]
            return value.split('&expiry=')[0] or None
    return None


class Users(object):
    """Login users (``admin`` plus those added through the admin API) and
    the Kerberos principals that are admins (``admin_principals``, full
    names with the realm, e.g. ``nova/controller.example.test@REALM``).
    """

    def __init__(self, realm, admin_password, admin_principals=()):
        self.realm = realm
        self._lock = threading.Lock()
        self._admin_password = admin_password
        self._admin_principals = frozenset(admin_principals)
        self.reset()

    def reset(self):
        with self._lock:
            self._passwords = {'admin': self._admin_password}
            self._read_only = set()

    def add(self, user, password, read_only=False):
        """A login user; ``read_only`` users get ACIError on writes."""
        if not user or '/' in user or '@' in user:
            raise ValueError('user must be a plain user name, got %r' % user)
        if not isinstance(password, str) or not password:
            raise ValueError('password must be a non-empty string')
        with self._lock:
            self._passwords[user] = password
            if read_only:
                self._read_only.add(user)
            else:
                self._read_only.discard(user)

    def read_only(self, principal):
        """Whether the session principal may only read."""
        name, _, realm = principal.partition('@')
        if realm != self.realm:
            return False
        with self._lock:
            return name in self._read_only

    def access_of(self, principal, rights_of):
        """What ``principal`` may do (:mod:`tests.ipasim.access`).

        ``rights_of(principal)`` gives the rights of its roles; it is used
        for Kerberos principals that are neither login users nor admins.
        """
        if principal in self._admin_principals:
            return access.FULL
        name, _, realm = principal.partition('@')
        with self._lock:
            user = realm == self.realm and name in self._passwords
        if not user:
            return access.RoleAccess(principal, rights_of)
        if self.read_only(principal):
            return access.Access(read_only=True)
        return access.FULL

    def check(self, user, password):
        """The principal if ``password`` is right for ``user``, else None."""
        name, _, realm = user.partition('@')
        if realm and realm != self.realm:
            return None
        with self._lock:
            expected = self._passwords.get(name)
        if expected is None or not hmac.compare_digest(
                expected.encode(), password.encode()):
            return None
        return '%s@%s' % (name, self.realm)


def password_login(users, method, content_type, body):
    """Check a login_password request after the Referer check, in
    FreeIPA's order; returns the principal or raises LoginRejected.
    """
    if (content_type or '').split(';')[0].strip().lower() != \
            'application/x-www-form-urlencoded':
        raise LoginRejected(
            400, 'Content-Type must be application/x-www-form-urlencoded')
    if method != 'POST':
        raise LoginRejected(400, 'HTTP request method must be POST')
    try:
        fields = urllib.parse.parse_qs(body.decode('utf-8'),
                                       keep_blank_values=True)
    except UnicodeDecodeError:
        raise LoginRejected(400, 'request body is not UTF-8')
    for field in ('user', 'password'):
        values = fields.get(field, [])
        if not values:
            raise LoginRejected(400, 'no %s specified' % field)
        if len(values) > 1:
            raise LoginRejected(400, 'more than one %s parameter' % field)
    user, password = fields['user'][0], fields['password'][0]
    if not user or user.count('@') > 1 or '/' in user:
        raise LoginRejected(401, 'malformed principal', reason='denied')
    principal = users.check(user, password)
    if principal is None:
        raise LoginRejected(401, 'kinit: password incorrect',
                            reason='invalid-password')
    return principal


class KerberosAcceptor(object):
    """Accepts SPNEGO/Kerberos tokens with the service keytab given on the
    command line (``HTTP/<server name>``).
    """

    def __init__(self, keytab):
        self.keytab = keytab

    def accept(self, authorization):
        """``Negotiate <b64>`` -> (client principal, reply token or None).

        Raises LoginRejected (401) for a missing or bad token.
        """
        scheme, _, encoded = (authorization or '').partition(' ')
        if scheme.lower() != 'negotiate' or not encoded.strip():
            raise LoginRejected(401, 'no Negotiate credentials')
        try:
            token = base64.b64decode(encoded.strip(), validate=True)
        except ValueError:
            raise LoginRejected(401, 'Negotiate token is not base64')
        try:
            creds = gssapi.Credentials(usage='accept',
                                       store={'keytab': self.keytab})
            context = gssapi.SecurityContext(creds=creds)
            reply = context.step(token)
        except gssapi.exceptions.GSSError as e:
            raise LoginRejected(401, 'GSSAPI rejected the token: %s'
                                % e.gen_message())
        if not context.complete:
            raise LoginRejected(401, 'GSSAPI context needs more steps')
        reply_header = base64.b64encode(reply).decode() if reply else None
        return str(context.initiator_name), reply_header
