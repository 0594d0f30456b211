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
from novajoin.openstack import neutron
from novajoin.openstack import nova
from novajoin.openstack import servers

# host_show calls per IPA batch when listing hosts.
# Rows written between flushes of the JSON output (a pipe's reader gets
# them while the listing goes on).
_FLUSH_ROWS = 100
# Rows per table printed by hosts list.
_TABLE_ROWS = 1000


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
    # Imported here: the checks import RabbitMQ's, Keystone's and nova's
    # clients (about 2.5 s), which hosts list and reconcile do not need.
    from novajoin.manage import checks
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
    """Stream the owned hosts: one row (or JSON array element) each.

    IPA: the owner listing, one ``service_find`` for every service, and a
    ``batch`` of ``host_show`` per
    :data:`~novajoin.hosts.inventory.SHOW_BATCH` hosts (whether a host
    holds its keytab); nova: its servers in pages. Rows are written
    as the listing finds them, in no particular order.
    """
    projects = _projects(conf)
    ipa = ipa_client.IPAClient.from_conf(conf)
    try:
        services = _services(ipa)
        listing = inventory.OwnerListing(ipa)
        rows = _host_rows(ipa, listing, projects, services)
        if conf.command.format == 'json':
            count = _write_json(out, rows)
        else:
            count = _write_table(out, rows)
        for instance_id in listing.skipped:
            sys.stderr.write('warning: the hosts of instance %s are not '
                             'listed: IPA cut off their search\n'
                             % instance_id)
    except (ipa_errors.IPAError, inventory.SearchTruncated) as exc:
        # Rows already written stay written (the output is streamed):
        # exit 1 says the listing is incomplete.
        sys.stderr.write('novajoin-manage: hosts list failed: %s: %s\n'
                         % (type(exc).__name__, exc))
        return 1
    finally:
        ipa.close()
    if conf.command.format != 'json':
        out.write('%d owned hosts\n' % count)
    return 0


def _host_rows(ipa, listing, projects, services):
    """The row of each owned host, a show batch at a time."""
    for chunk in inventory.in_show_batches(listing):
        yield from _rows(ipa, chunk, projects, services)


def _rows(ipa, hosts, projects, services):
    items = ipa.batch([('host_show', [host.fqdn], {}) for host in hosts])
    for host, item in zip(hosts, items):
        if isinstance(item.error, ipa_errors.NotFound):
            continue  # deleted since it was listed
        if item.error is not None:
            raise item.error
        yield {'fqdn': host.fqdn,
               'instance_id': host.record.instance_id,
               'project_id': projects.get(host.record.instance_id),
               'created': (host.record.created.isoformat()
                           if host.record.created else None),
               'enrolled': inventory.is_enrolled(item.result['result']),
               'services': services.get(host.fqdn, [])}


def _write_json(out, rows):
    """A JSON array, one element written per row; the count.

    The ``[`` waits for the first row (or the end of the listing), so a
    listing that fails before it leaves stdout empty.
    """
    count = 0
    for row in rows:
        out.write(',\n' if count else '[\n')
        out.write(json.dumps(row, sort_keys=True))
        count += 1
        if count % _FLUSH_ROWS == 0:
            out.flush()
    out.write('\n]\n' if count else '[]\n')
    return count


def _write_table(out, rows):
    """A table per :data:`_TABLE_ROWS` rows (so memory stays flat)."""
    count = 0
    table = None
    for row in rows:
        if table is None:
            table = prettytable.PrettyTable(['fqdn', 'instance', 'project',
                                             'created', 'enrolled',
                                             'services'])
            table.align = 'l'
        table.add_row([row['fqdn'], row['instance_id'],
                       row['project_id'] or '-', row['created'] or '-',
                       'yes' if row['enrolled'] else 'no',
                       ', '.join(row['services']) or '-'])
        count += 1
        if len(table.rows) == _TABLE_ROWS:
            out.write(table.get_string() + '\n')
            table = None
    if table is not None:
        out.write(table.get_string() + '\n')
    return count


def _services(ipa):
    """``{fqdn: [principal]}`` of every service, from one ``service_find``.

    Only the directory server's own limit applies (``sizelimit=0``); if
    it cuts the answer off, the hosts' services are looked up by host
    instead (:func:`_ServicesByHost`).
    """
    output = ipa.service_find(sizelimit=0)
    if output.get('truncated'):
        sys.stderr.write('warning: IPA cut off the list of services; '
                         'looking them up per host\n')
        return _ServicesByHost(ipa)
    found = {}
    for entry in output.get('result') or ():
        principal = entry['krbprincipalname'][0]
        host = principal.split('/', 1)[-1].rsplit('@', 1)[0]
        found.setdefault(host, []).append(principal)
    for principals in found.values():
        principals.sort()
    return found


class _ServicesByHost(object):
    """``services.get(fqdn, default)``, one ``service_find`` per host."""

    def __init__(self, ipa):
        self._ipa = ipa

    def get(self, fqdn, default=None):
        output = self._ipa.service_find('/%s@' % fqdn, sizelimit=0)
        return sorted(entry['krbprincipalname'][0]
                      for entry in output.get('result') or ())


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
