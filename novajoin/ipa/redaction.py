"""Keep secrets out of log lines.

IPA calls carry one-time passwords (``userpassword`` in host_add/host_mod,
``randompassword`` in their results) and login passwords; Kerberos logins
carry Negotiate tokens, which requests-gssapi logs at DEBUG.
"""

import logging
import re

REDACTED = '<redacted>'

SECRET_KEYS = frozenset((
    'userpassword', 'randompassword', 'password', 'otp',
    'krbprincipalkey', 'ipa_session', 'cookie', 'authorization',
))

_NEGOTIATE_TOKEN = re.compile(r'(Negotiate)\s+[A-Za-z0-9+/=_-]+')

GSSAPI_LOGGER = 'requests_gssapi.gssapi_'


def redact(value):
    """A copy of ``value`` with the values of secret keys replaced.

    Walks dicts, lists and tuples, so batch sub-calls are covered too.
    """
    if isinstance(value, dict):
        return {key: (REDACTED if str(key).lower() in SECRET_KEYS
                      else redact(item))
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(item) for item in value)
    return value


def redact_negotiate(text):
    return _NEGOTIATE_TOKEN.sub(r'\1 ' + REDACTED, text)


class NegotiateTokenFilter(logging.Filter):
    """Rewrites log records that would show a Negotiate token."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = redact_negotiate(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


def install_negotiate_filter():
    """Attach the filter to requests-gssapi's logger, once per process."""
    logger = logging.getLogger(GSSAPI_LOGGER)
    if not any(isinstance(f, NegotiateTokenFilter) for f in logger.filters):
        logger.addFilter(NegotiateTokenFilter())
