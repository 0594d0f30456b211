"""``novajoin-manage``: the operator's commands.

    novajoin-manage [--config-file FILE] check
    novajoin-manage [--config-file FILE] hosts list [--format table|json]
    novajoin-manage [--config-file FILE] reconcile [--dry-run] [--force]
                                                   [--grace SECONDS]

Exit status: 0 success, 1 a check or an action failed, 2 usage error.
"""

import json
import os
import sys

from oslo_config import cfg
import prettytable

from novajoin.cmd import cli_logging
from novajoin import conf as novajoin_conf
from novajoin.conf import service_credentials
from novajoin.hosts import inventory
from novajoin.hosts import nonce_cache
from novajoin.hosts import reconcile
from novajoin.ipa import client as ipa_client
from novajoin.ipa import errors as ipa_errors
from novajoin.manage import checks
from novajoin.openstack import neutron
from novajoin.openstack import nova
from novajoin.openstack import servers

# service_find calls per IPA batch when listing hosts' services.
_SERVICE_BATCH = 50


def _add_parsers(subparsers):
    check = subparsers.add_parser(
        'check', help='check configuration, IPA, Keystone, nova, RabbitMQ '
                      'and the OTP key; exit 1 if anything fails')
    check.set_defaults(handler=do_check)

    hosts = subparsers.add_parser('hosts', help='hosts novajoin owns')
    hosts_commands = hosts.add_subparsers(dest='hosts_command')
    hosts_commands.required = True
    listing = hosts_commands.add_parser(
        'list', help='owned hosts with instance, project, creation time, '
                     'enrollment and services')
    listing.add_argument('--format', choices=['table', 'json'],
                         default='table')
    listing.set_defaults(handler=do_hosts_list)

    reconciling = subparsers.add_parser(
        'reconcile', help='delete owned hosts of deleted instances and '
                          'expired unenrolled hosts')
    reconciling.add_argument('--dry-run', action='store_true',
                             help='print what would be done; change '
                                  'nothing')
    reconciling.add_argument('--grace', type=int, metavar='SECONDS',
                             help='keep hosts of instances deleted less '
                                  'than SECONDS ago (default [notify] '
                                  'reconcile_grace)')
    reconciling.add_argument('--force', action='store_true',
                             help='act even when more than [notify] '
                                  'reconcile_max_delete_percent of the '
                                  'owned hosts would be deleted')
    reconciling.set_defaults(handler=do_reconcile)


def load_conf(argv):
    conf = cfg.ConfigOpts()
    cli_logging.register_options(conf)
    novajoin_conf.register_opts(conf)
    conf.register_cli_opt(cfg.SubCommandOpt('command', title='commands',
                                            handler=_add_parsers))
    conf(argv, project='novajoin', prog='novajoin-manage',
         default_config_files=[path for path in
                               novajoin_conf.DEFAULT_CONFIG_FILES
                               if os.path.exists(path)])
    return conf


def do_check(conf, out):
    results = checks.Checker(conf).run()
    table = prettytable.PrettyTable(['check', 'result', 'detail'])
    table.align = 'l'
    table.max_width['detail'] = 72
    for result in results:
        detail = result.detail
        if result.fix:
            detail += '\nfix: %s' % result.fix
        table.add_row([result.name, result.status, detail])
    out.write(table.get_string() + '\n')
    failed = [r for r in results if r.status != checks.PASS]
    out.write('%d of %d checks passed\n' % (len(results) - len(failed),
                                            len(results)))
    return 1 if failed else 0


def do_hosts_list(conf, out):
    ipa = ipa_client.IPAClient.from_conf(conf)
    try:
        owned = inventory.owned_hosts(ipa, all=True)
        for instance_id in owned.skipped:
            sys.stderr.write('warning: the hosts of instance %s are not '
                             'listed: IPA cut off their search\n'
                             % instance_id)
        services = _services_of(ipa, [host.fqdn for host in owned])
    except (ipa_errors.IPAError, inventory.SearchTruncated) as exc:
        sys.stderr.write('novajoin-manage: hosts list failed: %s: %s\n'
                         % (type(exc).__name__, exc))
        return 1
    finally:
        ipa.close()
    projects = _projects(conf)
    rows = [{'fqdn': host.fqdn,
             'instance_id': host.record.instance_id,
             'project_id': projects.get(host.record.instance_id),
             'created': (host.record.created.isoformat()
                         if host.record.created else None),
             'enrolled': inventory.is_enrolled(host.entry),
             'services': services.get(host.fqdn, [])}
            for host in owned]
    if conf.command.format == 'json':
        out.write(json.dumps(rows, indent=2, sort_keys=True) + '\n')
        return 0
    table = prettytable.PrettyTable(['fqdn', 'instance', 'project',
                                     'created', 'enrolled', 'services'])
    table.align = 'l'
    for row in rows:
        table.add_row([row['fqdn'], row['instance_id'],
                       row['project_id'] or '-', row['created'] or '-',
                       'yes' if row['enrolled'] else 'no',
                       ', '.join(row['services']) or '-'])
    out.write(table.get_string() + '\n')
    out.write('%d owned hosts\n' % len(rows))
    return 0


def _services_of(ipa, fqdns):
    """``{fqdn: [principal]}``: the service principals of each host."""
    found = {}
    for start in range(0, len(fqdns), _SERVICE_BATCH):
        chunk = fqdns[start:start + _SERVICE_BATCH]
        items = ipa.batch([('service_find', ['/%s@' % fqdn], {})
                           for fqdn in chunk])
        for fqdn, item in zip(chunk, items):
            if item.error is not None:
                raise item.error
            found[fqdn] = sorted(
                entry['krbprincipalname'][0]
                for entry in item.result.get('result') or ())
    return found


def _projects(conf):
    """``{instance id: project id}`` from nova; empty if nova cannot say."""
    session = service_credentials.load_session(conf)
    directory = servers.ServerDirectory.from_conf(conf, session)
    try:
        known = dict(directory.deleted())
        known.update(directory.live())
    except nova.NovaUnavailable as exc:
        sys.stderr.write('warning: projects unknown: %s\n' % exc)
        return {}
    return {instance_id: server.project_id
            for instance_id, server in known.items()}


def do_reconcile(conf, out):
    grace = conf.command.grace
    if grace is None:
        grace = conf.notify.reconcile_grace
    if grace < 0:
        sys.stderr.write('novajoin-manage: --grace must not be negative\n')
        return 2
    ipa = ipa_client.IPAClient.from_conf(conf)
    session = service_credentials.load_session(conf)
    reconciler = reconcile.Reconciler(
        ipa, servers.ServerDirectory.from_conf(conf, session),
        nova.InstanceStatus.from_conf(conf, session), grace=grace,
        ttl=conf.enrollment.unenrolled_host_ttl,
        max_delete_percent=conf.notify.reconcile_max_delete_percent,
        nonces=nonce_cache.NonceCache.from_conf(conf),
        floating_ips=neutron.FloatingIPLookup.from_conf(conf, session),
        zone=conf.domain or ipa.domain)
    dry_run = conf.command.dry_run
    try:
        report = reconciler.run(dry_run=dry_run, force=conf.command.force)
    except (ipa_errors.IPAError, nova.NovaUnavailable,
            neutron.NeutronUnavailable, inventory.SearchTruncated,
            reconcile.TooManyDeletes) as exc:
        sys.stderr.write('novajoin-manage: reconcile failed, nothing more '
                         'was changed: %s: %s\n' % (type(exc).__name__, exc))
        return 1
    finally:
        ipa.close()
    out.write(reconcile.render_table(report, dry_run=dry_run) + '\n')
    return 1 if any(row.action == 'failed' for row in report.rows) else 0


def main(argv=None):
    conf = load_conf(sys.argv[1:] if argv is None else argv)
    cli_logging.setup(conf)
    return conf.command.handler(conf, sys.stdout)


if __name__ == '__main__':
    sys.exit(main())
