"""Every ``novajoin_*`` metric the guides name is one novajoin exports."""

from novajoin import metrics
from tests.unit.docs import doc_names


def test_every_documented_metric_exists():
    unknown = {path: sorted(doc_names.unknown_metrics(text))
               for path, text in doc_names.doc_texts().items()}
    assert {path: names for path, names in unknown.items() if names} == {}


def test_every_metric_is_documented():
    monitoring = doc_names.doc_texts()['doc/source/admin/monitoring.rst']
    for metric in metrics.ALL:
        assert metric._name in monitoring, metric._name


def test_a_misspelt_metric_is_reported():
    text = ('``novajoin_owned_hosts`` and ``novajoin_owned_host``, '
            '``novajoin_notifications_total``, ``novajoin_notification_*``')
    assert doc_names.unknown_metrics(text) == {'novajoin_owned_host',
                                               'novajoin_notification_*'}


def test_names_that_are_not_metrics_are_not_reported():
    text = '``novajoin_metadata`` and ``novajoin_dead_letter.error``'
    assert doc_names.unknown_metrics(text) == set()
