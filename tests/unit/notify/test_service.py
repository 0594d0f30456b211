from oslo_config import cfg

from novajoin import conf as novajoin_conf
from novajoin.notify import service


def make_conf(**notify):
    conf = cfg.ConfigOpts()
    novajoin_conf.register_opts(conf)
    conf([], project='novajoin', default_config_files=[])
    for name, value in notify.items():
        conf.set_override(name, value, group='notify')
    return conf


def pairs(targets):
    return [(t.exchange, t.topic) for t in targets]


def test_default_targets_name_nova_and_neutron_exchanges():
    assert pairs(service.build_targets(make_conf())) == [
        ('nova', 'notifications'), ('nova', 'versioned_notifications'),
        ('neutron', 'notifications')]


def test_topics_and_exchanges_are_configurable():
    conf = make_conf(notification_topics=['notifications', 'extra'],
                     versioned_notification_topics=['notifications'],
                     neutron_topics=[], nova_exchange='compute')
    assert pairs(service.build_targets(conf)) == [
        ('compute', 'notifications'), ('compute', 'extra')]


def test_calls_to_other_services_time_out_by_default():
    timeout = make_conf().service_credentials.timeout
    assert timeout is not None and 0 < timeout <= 30
