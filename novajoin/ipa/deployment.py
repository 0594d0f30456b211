"""Where IPA is: servers, realm and domain from [ipa] or the IPA client
configuration file that ipa-client-install writes."""

import collections
import configparser
import dataclasses
import urllib.parse

from novajoin.ipa import errors

HTTPS_PORT = 443


@dataclasses.dataclass(frozen=True)
class Server(object):
    """One IPA server, addressed by the FQDN in its certificate."""

    host: str
    port: int = HTTPS_PORT

    @classmethod
    def parse(cls, text):
        """``host``, ``host:port`` or ``[v6addr]:port``."""
        text = text.strip()
        parsed = urllib.parse.urlsplit('//' + text)
        try:
            port = parsed.port or HTTPS_PORT
        except ValueError:
            port = None
        if not parsed.hostname or port is None or parsed.path:
            raise errors.IPAConfigurationError(
                'invalid IPA server %r in [ipa] servers: expected '
                'host[:port]' % text)
        return cls(parsed.hostname, port)

    @property
    def netloc(self):
        host = '[%s]' % self.host if ':' in self.host else self.host
        return host if self.port == HTTPS_PORT else '%s:%d' % (host,
                                                               self.port)

    @property
    def base_url(self):
        """``https://<fqdn>[:port]/ipa``; FreeIPA wants it as Referer."""
        return 'https://%s/ipa' % self.netloc

    def __str__(self):
        return self.netloc


Deployment = collections.namedtuple('Deployment',
                                    ['servers', 'realm', 'domain'])


def read_client_conf(path):
    """The ``[global]`` section of /etc/ipa/default.conf, or {}."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path) as f:
            parser.read_file(f)
    except FileNotFoundError:
        return {}
    except (OSError, configparser.Error) as exc:
        raise errors.IPAConfigurationError(
            'cannot read IPA client configuration %s: %s' % (path, exc))
    if not parser.has_section('global'):
        return {}
    return dict(parser.items('global'))


def _servers_from_client_conf(client_conf):
    if client_conf.get('server'):
        return [client_conf['server']]
    uri = client_conf.get('xmlrpc_uri') or client_conf.get('jsonrpc_uri')
    if uri:
        return [urllib.parse.urlsplit(uri).netloc]
    return []


def resolve(ipa_conf):
    """Deployment from [ipa], with default_conf_file for what is unset."""
    servers = ipa_conf.servers
    realm = ipa_conf.realm
    domain = ipa_conf.domain
    client_conf = {}
    if not (servers and realm and domain):
        client_conf = read_client_conf(ipa_conf.default_conf_file)
    servers = servers or _servers_from_client_conf(client_conf)
    realm = realm or client_conf.get('realm')
    domain = domain or client_conf.get('domain')
    missing = [name for name, value in (('servers', servers),
                                        ('realm', realm),
                                        ('domain', domain)) if not value]
    if missing:
        raise errors.IPAConfigurationError(
            'IPA %s not known: set [ipa] %s or provide %s' % (
                ', '.join(missing), ', '.join(missing),
                ipa_conf.default_conf_file))
    parsed = [Server.parse(s) for s in servers]
    if len(set(parsed)) != len(parsed):
        raise errors.IPAConfigurationError(
            '[ipa] servers lists a server twice: %s' % ', '.join(servers))
    return Deployment(parsed, realm, domain.lower().rstrip('.'))
