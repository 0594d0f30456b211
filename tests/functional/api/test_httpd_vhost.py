"""``apachectl -t`` accepts the shipped vhost with only paths replaced;
the API suites run it for real (runner ``httpd``)."""

import os

from tests.fixtures import httpd
from tests.fixtures import net


def _server_conf(test_ca):
    public = httpd.PublicDir()
    cert, key = test_ca.issue('localhost', ip_addresses=['127.0.0.1'],
                              basename='httpd-syntax')
    return public, httpd.write_server_conf(
        public, net.free_port(), cert, key, httpd.VENV)


def test_apachectl_accepts_the_shipped_vhost(test_ca):
    public, conf_file = _server_conf(test_ca)
    try:
        status, output = httpd.config_test(conf_file)
    finally:
        public.remove()
    assert status == 0, output
    assert 'Syntax OK' in output


def test_apachectl_check_catches_a_broken_vhost(test_ca):
    public, conf_file = _server_conf(test_ca)
    try:
        with open(os.path.join(public.path, 'novajoin-api.conf'), 'a') as f:
            f.write('WSGIDaemonProcess novajoin-api processes=two\n')
        status, output = httpd.config_test(conf_file)
    finally:
        public.remove()
    assert status != 0
    assert 'Syntax OK' not in output
