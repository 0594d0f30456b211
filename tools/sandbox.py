#!/usr/bin/env python3
"""The local sandbox: novajoin's whole flow on this machine, nothing external.

Run by ``tools/sandbox`` (``tox -e demo``). It makes a throwaway CA and a
work directory under ``.sandbox/``, starts the IPA simulator, walks through
the IPA client, serves ``novajoin-server`` over TLS, plays nova for a few
instances (vendordata request -> one-time password -> enrollment -> repeat
request), one of them with compact and managed TLS services, then runs
``novajoin-notify``, publishes nova's delete notifications and shows that
IPA is clean. Every process it starts is
stopped on exit; the exit status is non-zero if any step failed.
"""

import argparse
import contextlib
import os
import sys
import time
import warnings

# oslo.messaging imports oslo.service's eventlet backend, which warns at
# import; this process uses no eventlet and the warning only hides the steps.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from novajoin.ipa import client as ipa_client  # noqa: E402
from novajoin.ipa import errors as ipa_errors  # noqa: E402
from sandboxlib import nova  # noqa: E402
from sandboxlib import report as reporting  # noqa: E402
from sandboxlib import services as tls_services  # noqa: E402
from sandboxlib import stack  # noqa: E402
from tests.fixtures import keystone  # noqa: E402
from tests.fixtures import novajoin_server  # noqa: E402
from tests.fixtures import openstack_standin  # noqa: E402
from tests.fixtures import rabbit  # noqa: E402
from tests.fixtures import tls  # noqa: E402

expect = reporting.expect
mask = reporting.mask

DELETE_TIMEOUT = 60.0
INSTANCE_NAMES = ('web-1', 'web-2', 'db-1')


def _fqdn(hostname):
    return '%s.%s' % (hostname, stack.DOMAIN)


def _hosts(ipa):
    """{fqdn: entry} of every host in the simulator."""
    found = {}
    for entry in ipa.admin.hosts():
        fqdn = entry['fqdn']
        found[fqdn[0] if isinstance(fqdn, list) else fqdn] = entry
    return found


def _flag(entry, name):
    value = entry.get(name)
    return value[0] if isinstance(value, list) else value


def walk_ipa_client(report, ipa, workdir):
    """ping, host_add with a random password, join, host_show, host_del."""
    conf_path = os.path.join(workdir, 'ipa-client.conf')
    novajoin_server.write_config(
        conf_path, {'ipa': stack.ipa_section(ipa, workdir)})
    client = ipa_client.IPAClient.from_conf(stack.load_conf(conf_path))
    fqdn = _fqdn('client-walk')
    try:
        with report.step('IPA client: ping'):
            summary = client.ping()['summary']
            report.detail('%s', summary)
        with report.step('IPA client: host_add %s (random password)' % fqdn):
            added = client.host_add(fqdn, force=True, random=True)['result']
            password = added['randompassword']
            expect(password, 'host_add returned no random password')
            report.detail('random password %s', mask(password))
        with report.step('IPA client: host_show before enrollment'):
            entry = client.host_show(fqdn)['result']
            report.detail('has_password=%s has_keytab=%s',
                          entry['has_password'], entry['has_keytab'])
            expect(entry['has_password'] and not entry['has_keytab'],
                   'a new host should have a password and no keytab')
        with report.step('simulator: ipa-join %s with that password' % fqdn):
            ipa.admin.join(fqdn, password)
            entry = client.host_show(fqdn)['result']
            report.detail('has_password=%s has_keytab=%s',
                          entry['has_password'], entry['has_keytab'])
            expect(entry['has_keytab'] and not entry['has_password'],
                   'an enrolled host should have a keytab, no password')
        with report.step('IPA client: host_del %s' % fqdn):
            client.host_del(fqdn, updatedns=True)
            try:
                client.host_show(fqdn)
            except ipa_errors.IPACommandError as exc:
                report.detail('host_show now: %s (%s)', exc.name, exc.code)
                expect(exc.code == 4001, 'expected NotFound (4001)')
            else:
                raise reporting.StepFailed('host still there after host_del')
    finally:
        client.close()


def play_instances(report, server, ipa, standin, view):
    """Vendordata -> OTP -> repeat -> enrollment -> enrolled answer."""
    caller = nova.VendordataCaller(server.url, server.ca_file)
    instances = [nova.Instance(name) for name in INSTANCE_NAMES]
    instances.append(tls_services.services_instance())
    # The last one asks for enrollment through its Glance image instead of
    # its metadata: novajoin reads the image with its service credentials.
    instances[-2].metadata = {}
    standin.set_image(instances[-2].image_id,
                      {'ipa_enroll': 'true', 'os_distro': 'fedora',
                       'os_version': '40'})
    try:
        for instance in instances:
            standin.set_server(instance.instance_id, status='ACTIVE',
                               name=instance.hostname,
                               project_id=instance.project_id)
            enroll_one(report, caller, ipa, instance)
    finally:
        caller.close()
    tls_services.show_services(report, view, instances[-1])
    return instances


def enroll_one(report, caller, ipa, instance):
    fqdn = _fqdn(instance.hostname)
    how = 'metadata' if instance.metadata else 'image property'
    with report.step('nova -> novajoin: vendordata for %s (ipa_enroll by %s)'
                     % (instance.hostname, how)):
        for key in sorted(k for k in instance.metadata
                          if k.startswith(('compact_', 'managed_'))):
            report.detail('metadata %s = %s', key, instance.metadata[key])
        resp = caller.post(instance)
        expect(resp.status_code == 200, 'HTTP %s: %s', resp.status_code,
               resp.text[:300])
        answer = resp.json()
        otp = answer.get('ipaotp')
        report.detail('hostname=%s krb_realm=%s ipaotp=%s',
                      answer.get('hostname'), answer.get('krb_realm'),
                      mask(otp))
        expect(answer.get('hostname') == fqdn, 'expected hostname %s', fqdn)
        expect(otp, 'no one-time password in the answer')
        entry = _hosts(ipa).get(fqdn)
        expect(entry is not None, 'no IPA host %s', fqdn)
        report.detail('IPA host %s has_password=%s has_keytab=%s', fqdn,
                      _flag(entry, 'has_password'),
                      _flag(entry, 'has_keytab'))
    with report.step('nova repeats the request before the instance enrolls'):
        again = caller.post(instance)
        expect(again.status_code == 200, 'HTTP %s', again.status_code)
        repeated = again.json().get('ipaotp')
        report.detail('ipaotp=%s, same as before: %s', mask(repeated),
                      repeated == otp)
        expect(repeated == otp, 'a repeated request got a different OTP')
    with report.step('instance %s: ipa-join with the OTP' % instance.hostname):
        ipa.admin.join(fqdn, otp)
        entry = _hosts(ipa)[fqdn]
        report.detail('has_password=%s has_keytab=%s',
                      _flag(entry, 'has_password'),
                      _flag(entry, 'has_keytab'))
    with report.step('nova asks again after enrollment'):
        resp = caller.post(instance)
        expect(resp.status_code == 200, 'HTTP %s', resp.status_code)
        answer = resp.json()
        report.detail('answer keys: %s', ', '.join(sorted(answer)))
        expect(answer.get('hostname') == fqdn,
               'an enrolled instance must get its hostname')
        # Within the nonce cache's lifetime the repeat is answered from the
        # cache: the OTP the instance has used, which IPA no longer takes.
        if 'ipaotp' in answer:
            expect(answer['ipaotp'] == otp,
                   'an enrolled instance got a new OTP')
            status, _body = ipa.admin.try_join(fqdn, answer['ipaotp'])
            report.detail('the cached OTP again: ipa-join answers %s',
                          status)
            expect(status != 200, 'IPA took a used OTP again')


def _notify_transport(choice):
    if choice == 'rabbit' or (choice == 'auto' and rabbit.amqp_answers()):
        return 'rabbit'
    return 'fake'


@contextlib.contextmanager
def run_listener(report, kind, workdir, ks, ipa):
    """Yields a DeleteNotifier wired to a running novajoin-notify."""
    pool = rabbit.unique_name('novajoin-notify-sandbox')
    with contextlib.ExitStack() as cleanup:
        if kind == 'rabbit':
            with report.step('novajoin-notify on RabbitMQ (private vhost)'):
                vhost = cleanup.enter_context(
                    rabbit.private_vhost('novajoin-sandbox'))
                sections = stack.notify_sections(ks, ipa, workdir,
                                                 vhost.transport_url, pool)
                process = cleanup.enter_context(
                    stack.run_notify_process(workdir, sections))
                transport = nova.publisher_transport(workdir,
                                                     vhost.transport_url)
                cleanup.callback(transport.cleanup)
                report.detail('pid %s, vhost %s, pool %s', process.pid,
                              vhost.name, pool)
        else:
            with report.step('novajoin-notify in this process on '
                             "oslo.messaging's fake:// transport"):
                sections = stack.notify_sections(ks, ipa, workdir,
                                                 'fake://', pool)
                # One in-process transport for listener and publisher: it
                # must publish on nova's exchange.
                sections['DEFAULT']['control_exchange'] = 'nova'
                transport = cleanup.enter_context(
                    stack.run_notify_in_process(workdir, sections))
                report.detail('RabbitMQ does not answer on %s:%d',
                              rabbit.HOST, rabbit.PORT)
        yield nova.DeleteNotifier(transport)


def delete_instances(report, notifier, ipa, standin, instances, view):
    for number, instance in enumerate(instances):
        fmt = 'legacy' if number == len(instances) - 1 else 'versioned'
        fqdn = _fqdn(instance.hostname)
        with report.step('nova deletes %s (%s notification)'
                         % (instance.hostname, fmt)):
            standin.set_server(instance.instance_id, status='DELETED')
            if fmt == 'versioned':
                notifier.versioned_delete(instance)
            else:
                notifier.legacy_delete(instance)
            deadline = time.monotonic() + DELETE_TIMEOUT
            while fqdn in _hosts(ipa):
                expect(time.monotonic() < deadline,
                       '%s still in IPA after %ss', fqdn, DELETE_TIMEOUT)
                time.sleep(0.2)
            report.detail('IPA host %s deleted', fqdn)
    with report.step('IPA is clean'):
        left = sorted(_hosts(ipa))
        report.detail('hosts in IPA: %s', ', '.join(left) or 'none')
        expect(not left, 'hosts left in IPA: %s', left)
    tls_services.expect_no_services(report, view)


def run(args, report):
    workdir = stack.make_workdir(os.path.join(REPO, '.sandbox'))
    with contextlib.ExitStack() as cleanup:
        with report.step('throwaway CA and work directory'):
            ca = tls.TestCA(os.path.join(workdir, 'ca'), 'novajoin sandbox CA')
            otp_key_file = stack.write_otp_key(workdir)
            report.detail('%s', os.path.relpath(workdir, os.getcwd()))
        with report.step('IPA simulator over TLS'):
            ipa = cleanup.enter_context(
                stack.start_ipa_simulator(workdir, ca))
            report.detail('%s realm %s', ipa.url, ipa.realm)
        walk_ipa_client(report, ipa, workdir)
        with report.step('Keystone (sqlite, uWSGI, TLS) and the '
                         'Glance/nova/neutron stand-in'):
            ks = cleanup.enter_context(keystone.run_keystone(
                os.path.join(workdir, 'keystone'), ca=ca))
            standin = cleanup.enter_context(
                openstack_standin.run_openstack_standin(ks, ca=ca))
            report.detail('Keystone %s, stand-in %s', ks.auth_url,
                          standin.url)
        with report.step('novajoin-server over TLS (auth_strategy = noauth)'):
            server = cleanup.enter_context(stack.start_novajoin_server(
                workdir, ca, stack.server_sections(ks, ipa, otp_key_file,
                                                   workdir)))
            report.detail('%s, log %s', server.url,
                          os.path.relpath(server.log_file, os.getcwd()))
        view = tls_services.ServiceView(ipa, workdir)
        cleanup.callback(view.close)
        instances = play_instances(report, server, ipa, standin, view)
        notifier = cleanup.enter_context(run_listener(
            report, _notify_transport(args.notify_transport), workdir, ks,
            ipa))
        delete_instances(report, notifier, ipa, standin, instances, view)
    return workdir


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--notify-transport', choices=('auto', 'rabbit', 'fake'),
        default='auto',
        help='RabbitMQ on 127.0.0.1:5672 or the in-process fake:// '
             'transport; auto: RabbitMQ when it answers (default)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = reporting.Report()
    try:
        workdir = run(args, report)
    except Exception as exc:
        if not report.failures:
            print('sandbox failed: %s: %s' % (type(exc).__name__, exc))
        print('\nsandbox FAILED; files and logs in the newest run-* under %s'
              % os.path.relpath(os.path.join(REPO, '.sandbox'), os.getcwd()))
        return 1
    print('\nsandbox passed; files and logs in %s'
          % os.path.relpath(workdir, os.getcwd()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
