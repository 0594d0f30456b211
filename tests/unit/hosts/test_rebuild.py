"""Which of a rebuilt instance's hosts are re-armed, and how."""

import datetime
import uuid

from novajoin.hosts import otp
from novajoin.hosts import ownership
from novajoin.hosts import rebuild
from novajoin.ipa import client as ipa_client
from novajoin.ipa import errors as ipa_errors

STARTED = datetime.datetime(2026, 11, 28, 12, 0, 0, 500000,
                            tzinfo=datetime.timezone.utc)
INSTANCE = str(uuid.uuid4())
KEY = otp.OTPKey(b'k' * 16 + b'e' * 16 + b'y' * 16)


class FakeIPA(object):
    def __init__(self):
        self.hosts = {}
        self.batches = []

    def add(self, fqdn, keytab_at=None, password=False, role=None):
        self.hosts[fqdn] = {
            'fqdn': [fqdn],
            'description': [ownership.build_description(
                INSTANCE, None if role else 'n0', role=role)],
            'has_keytab': keytab_at is not None, 'has_password': password}
        if keytab_at is not None:
            self.hosts[fqdn]['krblastpwdchange'] = [keytab_at]

    def host_find(self, criteria=None, **options):
        return {'result': [{'fqdn': e['fqdn'], 'description': e[
            'description']} for e in self.hosts.values()],
            'truncated': False}

    def host_show(self, fqdn, **options):
        return {'result': dict(self.hosts[fqdn])}

    def batch(self, calls):
        self.batches.append(calls)
        return [ipa_client.BatchItem({}, None) if method == 'host_mod'
                else ipa_client.BatchItem(
                    None, ipa_errors.AlreadyInactive('already disabled'))
                for method, _, _ in calls]


class Nova(object):
    def __init__(self, started):
        self.started = started

    def last_rebuild_started(self, instance_id):
        return self.started


def _rebuild(ipa, started=STARTED):
    rebuilds = rebuild.Rebuilds(ipa, Nova(started), KEY,
                                clock=lambda: STARTED)
    return {o.fqdn: o.result for o in rebuilds.rebuilt(INSTANCE)}


def test_enrolled_host_is_disabled_and_given_a_fresh_otp():
    ipa = FakeIPA()
    ipa.add('vm.example.test', keytab_at=STARTED - datetime.timedelta(1))
    ipa.add('vm.internalapi.example.test',
            keytab_at=STARTED - datetime.timedelta(1),
            role=ownership.ROLE_SUBHOST)
    # A managed service's host, shared with other instances.
    ipa.add('vip.example.test', keytab_at=STARTED - datetime.timedelta(1),
            role=ownership.ROLE_SERVICE_HOST)

    assert _rebuild(ipa) == {'vm.example.test': rebuild.REARMED,
                             'vm.internalapi.example.test': rebuild.DISABLED}
    calls = ipa.batches[0]
    assert [(m, a) for m, a, _ in calls] == [
        ('host_mod', ['vm.example.test']),
        ('host_disable', ['vm.example.test']),
        ('host_mod', ['vm.example.test']),
        ('host_disable', ['vm.internalapi.example.test'])]
    # First recorded: novajoin disables it for this rebuild.
    marked = ownership.parse_description(calls[0][2]['description'])
    assert marked.disabled_for_rebuild == STARTED.replace(microsecond=0)
    options = calls[2][2]
    assert ownership.parse_description(
        options['description']).disabled_for_rebuild is None
    record = ownership.parse_description(options['description'])
    assert record.otp_nonce not in (None, 'n0')
    assert options['userpassword'] == KEY.derive_otp(
        INSTANCE, 'vm.example.test', record.otp_nonce)


def test_pending_and_freshly_enrolled_hosts_are_left_alone():
    ipa = FakeIPA()
    ipa.add('pending.example.test', password=True)
    # The keytab of the second after the rebuild began: the rebuilt OS.
    ipa.add('new.example.test', keytab_at=STARTED.replace(microsecond=0)
            + datetime.timedelta(seconds=1))
    assert _rebuild(ipa) == {'pending.example.test': rebuild.NOT_ENROLLED,
                             'new.example.test': rebuild.ENROLLED_SINCE}
    assert ipa.batches == []


def test_no_rebuild_known_to_nova_changes_nothing():
    ipa = FakeIPA()
    ipa.add('vm.example.test', keytab_at=STARTED)
    assert _rebuild(ipa, started=None) == {
        'vm.example.test': rebuild.NO_REBUILD_KNOWN}
    assert ipa.batches == []
