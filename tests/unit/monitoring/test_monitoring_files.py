"""The shipped alert rules and Grafana dashboard: valid PromQL, the alerts
fire when they should (promtool test rules), and every novajoin metric they
use is one novajoin exports."""

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from novajoin import metrics

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
ALERTS = os.path.join(REPO, 'etc', 'prometheus', 'novajoin-alerts.yaml')
DASHBOARD = os.path.join(REPO, 'etc', 'grafana', 'novajoin-dashboard.json')
ALERT_TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'alert_rules_test.yaml')

# Grafana's variables, as Grafana would substitute them.
_GRAFANA_VARIABLES = {'$__rate_interval': '5m', '$job': '.*'}


def _promtool():
    path = shutil.which('promtool')
    assert path, ('promtool missing: install Debian\'s prometheus package '
                  '(bindep.txt)')
    return path


def _run_promtool(*args, cwd=None):
    result = subprocess.run([_promtool()] + list(args), cwd=cwd,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _exported_names():
    names = set()
    for metric in metrics.ALL:
        kind = metric._type
        if kind == 'histogram':
            names |= {metric._name + suffix
                      for suffix in ('_bucket', '_count', '_sum')}
        elif kind == 'counter':
            names.add(metric._name + '_total')
        else:
            names.add(metric._name)
    return names


def _novajoin_metric_names(expr):
    return set(re.findall(r'\bnovajoin_[a-z_]+\b', expr))


def _alert_rules():
    with open(ALERTS) as f:
        document = yaml.safe_load(f)
    return [rule for group in document['groups'] for rule in group['rules']]


def _dashboard():
    with open(DASHBOARD) as f:
        return json.load(f)


def _dashboard_exprs():
    return [target['expr'] for panel in _dashboard()['panels']
            for target in panel['targets']]


def test_alert_rules_pass_promtool_check():
    assert 'SUCCESS' in _run_promtool('check', 'rules', ALERTS)


def test_alerts_fire_on_the_series_they_are_about():
    _run_promtool('test', 'rules', os.path.basename(ALERT_TESTS),
                  cwd=os.path.dirname(ALERT_TESTS))


def test_alerts_cover_errors_ipa_dead_letters_and_a_stuck_queue():
    names = {rule['alert'] for rule in _alert_rules()}
    assert {'NovajoinEnrollmentErrors', 'NovajoinIPAUnavailable',
            'NovajoinNotificationsDeadLettered',
            'NovajoinNotificationQueueNotDraining'} <= names
    for rule in _alert_rules():
        assert rule['labels']['severity'] in ('warning', 'critical')
        assert rule['annotations']['summary']
        assert rule['annotations']['description']


@pytest.mark.parametrize('expr', [r['expr'] for r in _alert_rules()]
                         + _dashboard_exprs())
def test_every_novajoin_metric_used_is_exported(expr):
    used = _novajoin_metric_names(expr)
    assert used <= _exported_names(), used - _exported_names()


def test_dashboard_queries_are_valid_promql(tmp_path):
    rules = []
    for number, expr in enumerate(_dashboard_exprs()):
        for variable, value in _GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        assert '$' not in expr, expr
        rules.append({'record': 'novajoin:dashboard_panel_%d' % number,
                      'expr': expr})
    path = tmp_path / 'dashboard-queries.yaml'
    path.write_text(yaml.safe_dump(
        {'groups': [{'name': 'dashboard', 'rules': rules}]}))
    assert 'SUCCESS' in _run_promtool('check', 'rules', str(path))


def test_dashboard_shows_every_exported_metric():
    used = set()
    for expr in _dashboard_exprs():
        used |= _novajoin_metric_names(expr)
    for metric in metrics.ALL:
        assert any(name.startswith(metric._name) for name in used), (
            metric._name)


def test_dashboard_is_importable_grafana_json():
    dashboard = _dashboard()
    assert dashboard['uid'] == 'novajoin'
    variables = {v['name'] for v in dashboard['templating']['list']}
    assert variables == {'datasource', 'job'}
    ids = [panel['id'] for panel in dashboard['panels']]
    assert len(ids) == len(set(ids))
    for panel in dashboard['panels']:
        assert panel['targets'], panel['title']
        assert panel['datasource']['uid'] == '${datasource}'
