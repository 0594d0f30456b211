"""``.. novajoin-alert:: NovajoinEnrollmentErrors``: one shipped alert rule.

Renders the rule as ``etc/prometheus/novajoin-alerts.yaml`` has it (its
severity, how long it must hold, its expression and its description), so
the admin guide's explanation of an alert sits next to the rule itself.
A name the file does not have fails the build;
``tests/unit/docs/test_alerts_documented.py`` fails when a rule of the
file has no section.
"""

import os

from docutils import nodes
from docutils.parsers.rst import Directive

import alert_rules_file


def _field(name, body):
    return nodes.field('', nodes.field_name(text=name),
                       nodes.field_body('', body))


class Alert(Directive):
    required_arguments = 1
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        repo_root = os.path.normpath(os.path.join(env.srcdir, '..', '..'))
        env.note_dependency(os.path.join(repo_root, alert_rules_file.RULES))
        rules = alert_rules_file.load_rules(repo_root)
        name = self.arguments[0]
        if name not in rules:
            raise self.error('%s has no alert %s (it has: %s)' % (
                alert_rules_file.RULES, name, ', '.join(sorted(rules))))
        rule = rules[name]
        annotations = rule.get('annotations', {})
        fields = nodes.field_list()
        fields += _field('Severity', nodes.paragraph(
            text=rule.get('labels', {}).get('severity', '-')))
        fields += _field('Fires after', nodes.paragraph(
            text=rule.get('for', 'at once')))
        fields += _field('Summary', nodes.paragraph(
            text=annotations.get('summary', '')))
        fields += _field('Description', nodes.paragraph(
            text=' '.join(annotations.get('description', '').split())))
        expr = rule['expr'].strip()
        fields += _field('Expression', nodes.literal_block(expr, expr))
        return [fields]


def setup(app):
    app.add_directive('novajoin-alert', Alert)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
