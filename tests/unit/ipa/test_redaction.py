"""Secrets (passwords, OTPs, session cookies, Negotiate tokens) never
reach a log line."""

import logging

from novajoin.ipa import redaction
from tests.unit.ipa import fakes

OTP = 'Otp-8f1c2d3e4b5a'
RANDOM_OTP = 'Rnd-77aa66bb55cc'


def test_redact_replaces_secret_values_at_any_depth():
    call = ['batch', [{'method': 'host_add',
                       'params': [['vm.example.test'],
                                  {'userpassword': OTP, 'force': True}]}],
            {'password': 'pw', 'randompassword': RANDOM_OTP}]

    cleaned = redaction.redact(call)

    assert OTP not in repr(cleaned) and RANDOM_OTP not in repr(cleaned)
    assert "'force': True" in repr(cleaned)
    assert cleaned[1][0]['params'][1]['userpassword'] == '<redacted>'
    assert call[1][0]['params'][1]['userpassword'] == OTP, 'input kept'


def test_negotiate_filter_rewrites_tokens_in_gssapi_debug_lines(caplog):
    redaction.install_negotiate_filter()
    redaction.install_negotiate_filter()
    logger = logging.getLogger(redaction.GSSAPI_LOGGER)
    assert sum(isinstance(f, redaction.NegotiateTokenFilter)
               for f in logger.filters) == 1
    token = 'YIIC+zCCAvegAwIBAKEDCgEAooIC4ASCAtxgggLYBgkqhkiG9xIBAgIB'

    with caplog.at_level(logging.DEBUG, logger=redaction.GSSAPI_LOGGER):
        logger.debug('authenticate_user(): Authorization header: {0}'
                     .format('Negotiate ' + token))

    assert token not in caplog.text
    assert 'Negotiate <redacted>' in caplog.text


def test_call_debug_logging_never_shows_otps_passwords_or_cookies(caplog):
    def rpc(request):
        if request.body['method'] == 'batch':
            return fakes.envelope({'count': 1, 'results': [
                {'error': None, 'result': {'randompassword': RANDOM_OTP}}]})
        return fakes.ok(result={'fqdn': ['vm.example.test'],
                                'randompassword': RANDOM_OTP,
                                'has_password': True},
                        value='vm.example.test',
                        summary='Added host "vm.example.test"')

    fake = fakes.FakeIPA(rpc=rpc)
    fake.cookie_format = 'MagBearerToken=cookie%d-c0ffee'
    ipa = fakes.make_client(fake)

    with caplog.at_level(logging.DEBUG):
        out = ipa.host_add('vm.example.test', userpassword=OTP, force=True)
        ipa.batch([('host_mod', ['vm.example.test'], {'userpassword': OTP})])
        fake.valid_cookies.clear()
        ipa.ping()

    assert out['result']['randompassword'] == RANDOM_OTP
    assert 'method=host_add' in caplog.text
    assert fake.logins == 2
    for secret in (OTP, RANDOM_OTP, fakes.PASSWORD, 'cookie1-c0ffee',
                   'cookie2-c0ffee'):
        assert secret not in caplog.text
