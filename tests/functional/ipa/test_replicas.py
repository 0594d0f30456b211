"""Several [ipa] servers: each host's calls on one server, failover.

The two simulators share nothing, like two IPA replicas before
replication has caught up: a read that went to the other server than the
write before it would not find the host.
"""

import os
import secrets
import signal
import time

import pytest

from novajoin import exception
from novajoin.hosts import enrollment
from novajoin.hosts import otp
from novajoin.ipa import routing
from novajoin.openstack import projects
from tests.fixtures import ipasim
from tests.unit.hosts import fakes as host_fakes

HOSTS = 16
IMAGE = '5b7c9d1e-2f3a-4b5c-9d7e-8f9a0b1c2d3e'
PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
INSTANCE = '3f0b0e5e-6c54-4b7a-9a61-0b8f1c7d2a10'
# Past the IPA client's timeout (1 s in the test).
SLOW_MS = 1500


def _fqdns(sim):
    return {entry['fqdn'][0] if isinstance(entry['fqdn'], list)
            else entry['fqdn'] for entry in sim.admin.hosts()}


def test_each_host_stays_on_one_server_and_fails_over_when_it_stops(
        ca, tmp_path, make_client):
    password = secrets.token_urlsafe(12)
    with ipasim.run_ipasim(tmp_path / 'a', ca, admin_password=password,
                           name='ipasim-a') as sim_a, \
            ipasim.run_ipasim(tmp_path / 'b', ca, admin_password=password,
                              name='ipasim-b') as sim_b:
        ipa = make_client([sim_a, sim_b], timeout=10)
        hosts = ['vm%02d.%s' % (n, sim_a.domain) for n in range(HOSTS)]
        for fqdn in hosts:
            ipa.host_add(fqdn, random=True, force=True)
            # The read after the write finds the host: same server.
            assert ipa.host_show(fqdn)['result']['has_password'] is True
            ipa.host_mod(fqdn, description='owned')
        on_a, on_b = _fqdns(sim_a), _fqdns(sim_b)
        # Every host exists on exactly one server, and both got some.
        assert on_a | on_b >= set(hosts)
        assert not (on_a & on_b)
        assert on_a & set(hosts) and on_b & set(hosts)

        sim_a.process.send_signal(signal.SIGTERM)
        assert sim_a.process.wait(15) == 0
        # sim_b's hosts are still served there; sim_a's move to sim_b.
        for fqdn in sorted(on_b & set(hosts)):
            assert ipa.host_show(fqdn)['result']['description'] == ['owned']
        late = ['late%02d.%s' % (n, sim_a.domain) for n in range(HOSTS)]
        for fqdn in late:
            ipa.host_add(fqdn, random=True, force=True)
            assert ipa.host_show(fqdn)['result']['has_password'] is True
        assert set(late) <= _fqdns(sim_b)


def test_a_timed_out_enrollment_is_not_written_again_on_another_server(
        ca, tmp_path, make_client):
    """The home server runs the batch of the first request after its
    caller gave up; nova's next request for the boot must not add the
    host on another server: it finds the first one's entry and answers
    its OTP, which that server accepts.
    """
    password = secrets.token_urlsafe(12)
    with ipasim.run_ipasim(tmp_path / 'a', ca, admin_password=password,
                           name='ipasim-a') as sim_a, \
            ipasim.run_ipasim(tmp_path / 'b', ca, admin_password=password,
                              name='ipasim-b') as sim_b:
        sims = [sim_a, sim_b]
        ipa = make_client(sims, timeout=1.0)
        fqdn = 'vm1.%s' % sim_a.domain
        servers = ipa.transport.servers
        home = sims[servers.index(routing.preference(fqdn, servers)[0])]
        for _ in sims:
            # Logged in everywhere before the home server slows down.
            ipa.ping()
        enroller = enrollment.Enroller(
            ipa=ipa, otp_key=otp.OTPKey(os.urandom(32)),
            image_properties=host_fakes.FakeImages(
                {IMAGE: {'id': IMAGE, 'os_distro': 'fedora',
                         'os_version': '43'}}),
            project_names=host_fakes.FakeProjects(
                {PROJECT: projects.Project('web-team', 'default')}),
            domain=sim_a.domain, min_call_time=0.05)
        request = enrollment.VendordataRequest(
            project_id=PROJECT, instance_id=INSTANCE, image_id=IMAGE,
            hostname='vm1', metadata={'ipa_enroll': 'true'},
            boot_roles=['member'])

        home.admin.control(latency_ms=SLOW_MS)
        with pytest.raises(exception.EnrollmentUnavailable):
            enroller.enroll(request, time.monotonic() + 3.0)
        home.admin.control(latency_ms=0)
        # The first batch lands meanwhile.
        time.sleep(SLOW_MS / 1000.0)
        again = enroller.enroll(request, time.monotonic() + 3.0)

        entries = [fqdn in _fqdns(sim) for sim in sims]
        status, _ = home.admin.try_join(fqdn, again.body['ipaotp'])

    assert entries == [sim is home for sim in sims]
    assert again.decision == enrollment.REPEAT
    assert status == 200
