"""Every runner we ship offers the TLS policy the admin guide states
(doc/source/admin/tls-policy.rst).

Debian's sslscan against novajoin-server, the shipped uWSGI ini, the
shipped httpd vhost and the shipped haproxy example, each with an EC and
an RSA certificate: TLS 1.2 and 1.3 only; in TLS 1.2 only forward secret
(ECDHE or DHE) AES-GCM or CHACHA20-POLY1305 suites; X25519 among the key
exchange groups (not under uWSGI 2.0, which offers P-256 only); no
version string in the Server header.
"""

import contextlib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest
import requests

from tests.fixtures import haproxy
from tests.fixtures import novajoin_server
from tests.functional.api import conftest

RUNNERS = novajoin_server.RUNNERS + ('haproxy',)
KEY_TYPES = ('ec', 'rsa')
ALLOWED_TLS12 = re.compile(
    r'^(ECDHE-ECDSA|ECDHE-RSA|DHE-RSA)-'
    r'(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)$')


@pytest.fixture(scope='module',
                params=[(runner, key_type) for runner in RUNNERS
                        for key_type in KEY_TYPES],
                ids=lambda param: '%s-%s' % param)
def scanned(request, tmp_path_factory, test_ca, ks, ipa, otp_key_file,
            standin):
    runner, key_type = request.param
    workdir = tmp_path_factory.mktemp('tls-%s-%s' % (runner, key_type))
    sections = conftest.server_sections(ks, ipa, otp_key_file)
    with contextlib.ExitStack() as stack:
        if runner == 'haproxy':
            backend = stack.enter_context(novajoin_server.run_novajoin_server(
                workdir / 'backend', test_ca, sections))
            url = stack.enter_context(haproxy.run_haproxy(
                workdir / 'haproxy', test_ca, [backend.url],
                key_type=key_type))
        else:
            url = stack.enter_context(novajoin_server.run_novajoin_server(
                workdir, test_ca, sections, runner=runner,
                key_type=key_type)).url
        yield url, test_ca.ca_file, _sslscan(url)


def _sslscan(url):
    binary = shutil.which('sslscan')
    if binary is None:
        pytest.fail('sslscan is not installed (bindep.txt: apt-get install '
                    'sslscan)')
    target = url.split('://', 1)[1]
    result = subprocess.run([binary, '--no-colour', '--xml=-', target],
                            capture_output=True, text=True, timeout=300,
                            check=True)
    xml = result.stdout[result.stdout.index('<?xml'):]
    return ElementTree.fromstring(xml).find('ssltest')


def test_only_tls_1_2_and_1_3(scanned):
    _, _, report = scanned
    enabled = {'%s%s' % (p.get('type'), p.get('version'))
               for p in report.iter('protocol') if p.get('enabled') == '1'}
    assert enabled == {'tls1.2', 'tls1.3'}


def test_tls_1_2_offers_forward_secret_aead_suites_only(scanned):
    _, _, report = scanned
    accepted = {c.get('cipher') for c in report.iter('cipher')
                if c.get('sslversion') == 'TLSv1.2'}
    assert accepted, 'no TLS 1.2 suite at all'
    assert {c for c in accepted if not ALLOWED_TLS12.match(c)} == set()


def test_key_exchange_groups_include_x25519(scanned, request):
    _, _, report = scanned
    groups = {g.get('name').lower().split()[0] for g in report.iter('group')}
    if request.node.callspec.id.startswith('uwsgi-'):
        # uWSGI 2.0's HTTPS router sets P-256 as its only group and has no
        # option for others (doc/source/admin/tls-policy.rst): the known
        # exception, asserted so that a uWSGI that offers more is noticed.
        assert groups == {'secp256r1'}, groups
        return
    assert 'x25519' in groups, groups


def test_no_version_string_in_server_header(scanned):
    url, ca_file, _ = scanned
    for path in ('/', '/no-such-path'):
        response = requests.get(url + path, verify=ca_file, timeout=10)
        server = response.headers.get('Server', '')
        assert not re.search(r'[0-9/(]', server), (path, server)
