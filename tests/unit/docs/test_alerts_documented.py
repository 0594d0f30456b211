"""Every shipped alert rule has its section in the admin guide.

``doc/ext/alert_rules.py`` fails the build for a section naming a rule the
file does not have; this test fails for a rule without a section.
"""

import os
import re
import sys

from tests.unit.docs import doc_names

sys.path.insert(0, os.path.join(doc_names.REPO, 'doc', 'ext'))
import alert_rules_file  # noqa: E402

ALERT_DIRECTIVE = re.compile(r'^\.\. novajoin-alert:: *(\S+)', re.M)


def undocumented_alerts(text):
    rules = alert_rules_file.load_rules(doc_names.REPO)
    return set(rules) - set(ALERT_DIRECTIVE.findall(text))


def test_every_alert_rule_has_a_section():
    monitoring = doc_names.doc_texts()['doc/source/admin/monitoring.rst']
    assert undocumented_alerts(monitoring) == set()


def test_a_rule_without_a_section_is_reported():
    monitoring = doc_names.doc_texts()['doc/source/admin/monitoring.rst']
    doctored = monitoring.replace('.. novajoin-alert:: NovajoinIPAUnavailable',
                                  '.. novajoin-alert:: NovajoinIPAUnavailabel')
    assert undocumented_alerts(doctored) == {'NovajoinIPAUnavailable'}
