"""The table a reconciliation pass prints: what it did, or would do."""

import collections

import prettytable

Row = collections.namedtuple('Row', ['action', 'fqdn', 'instance_id',
                                     'project_id', 'reason'])

Report = collections.namedtuple('Report', ['rows', 'owned_hosts',
                                           'instances'])


def render_table(report, dry_run=False):
    """The report as text: one table row per action, then a summary."""
    table = prettytable.PrettyTable(['action', 'fqdn', 'instance',
                                     'project', 'reason'])
    table.align = 'l'
    for row in sorted(report.rows, key=lambda row: row.fqdn):
        table.add_row([row.action, row.fqdn, row.instance_id,
                       row.project_id or '-', row.reason])
    counts = collections.Counter(row.action for row in report.rows)
    summary = ', '.join('%s %d' % item for item in sorted(counts.items()))
    lines = []
    if report.rows:
        lines.append(table.get_string())
    lines.append('%s%d owned hosts of %d instances checked; %s' % (
        'dry run: ' if dry_run else '', report.owned_hosts,
        report.instances, summary or 'nothing to do'))
    return '\n'.join(lines)
