"""What the listener and an IPA administrator do, from a test: an IPA
client, the OTP key and the nonce cache built from a running server's
join.conf, as ``novajoin-notify`` builds them from its own."""

from novajoin.api import deploy
from novajoin.hosts import nonce_cache
from novajoin.hosts import otp
from novajoin.ipa import client as ipa_client


class IPAAccess(object):
    def __init__(self, conf_file):
        self.conf = deploy.load_conf(['--config-file', conf_file],
                                     default_config_files=[])
        self.ipa = ipa_client.IPAClient.from_conf(self.conf)
        self.otp_key = otp.OTPKey.from_file(
            self.conf.enrollment.otp_key_file)
        self.nonces = nonce_cache.NonceCache.from_conf(self.conf)

    def disable(self, fqdn):
        """``ipa host-disable``: the keytab goes, no password is left."""
        return self.ipa.call('host_disable', [fqdn])

    def has_password(self, fqdn):
        return self.ipa.host_show(fqdn)['result']['has_password']

    def close(self):
        self.ipa.close()
