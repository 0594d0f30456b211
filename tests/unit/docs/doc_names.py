"""Names the guides mention, and which of them the code does not have.

The guides (``doc/source``) and README are prose written by hand; what they
name -- ``[group] option``, policy rules, Prometheus metrics, IPA
permissions -- must exist in the code. Each ``unknown_*`` function takes a
text and returns the names in it that the code lacks, so a test can run it
on the real pages and on a doctored text that must be caught.
"""

import glob
import importlib.metadata
import os
import re

from novajoin.conf import notify as notify_conf
from novajoin.hosts import ownership
from novajoin.install import ipa_rbac
from novajoin import metrics
from novajoin import policies

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
DOC_SOURCE = os.path.join(REPO, 'doc', 'source')
GENERATOR_CONF = os.path.join(REPO, 'etc', 'novajoin',
                              'novajoin-config-generator.conf')

# Options of nova.conf (and neutron.conf) that the guides show operators:
# nova is not installed here, so they are listed. Each is one the nova
# release novajoin supports has.
NOVA_OPTIONS = frozenset([
    ('api', 'vendordata_providers'),
    ('api', 'vendordata_jsonfile_path'),
    ('api', 'vendordata_dynamic_targets'),
    ('api', 'vendordata_dynamic_ssl_certfile'),
    ('api', 'vendordata_dynamic_connect_timeout'),
    ('api', 'vendordata_dynamic_read_timeout'),
    ('api', 'vendordata_dynamic_failure_fatal'),
    ('notifications', 'notification_format'),
    ('notifications', 'notify_on_state_change'),
    ('notifications', 'versioned_notifications_topics'),
    # keystoneauth's password plugin and session options
    ('vendordata_dynamic_auth', 'auth_type'),
    ('vendordata_dynamic_auth', 'auth_url'),
    ('vendordata_dynamic_auth', 'username'),
    ('vendordata_dynamic_auth', 'password'),
    ('vendordata_dynamic_auth', 'project_name'),
    ('vendordata_dynamic_auth', 'user_domain_name'),
    ('vendordata_dynamic_auth', 'project_domain_name'),
    ('vendordata_dynamic_auth', 'certfile'),
    ('vendordata_dynamic_auth', 'keyfile'),
])

# ``[group] option`` as an inline literal (prose such as "add
# [keystone_authtoken] and ..." is not a name), or the options under a
# group header line of an ini example (commented or not).
INLINE_OPTION = re.compile(r'``\[([A-Za-z_]+)\]\s+([a-z][a-z0-9_]*)\b')
INI_HEADER = re.compile(r'^\s*\[([A-Za-z_]+)\]\s*$')
INI_OPTION = re.compile(r'^\s*#?\s*([a-z][a-z0-9_]*)\s*=')

POLICY_NAME = re.compile(r'\bjoin:[a-z_]+')
METRIC_NAME = re.compile(r'\bnovajoin_[a-z_]+(\*)?')
PERMISSION_NAME = re.compile(
    r'(?<![A-Za-z])(System: [A-Z][A-Za-z ]*[A-Za-z]'
    r'|Nova Host [A-Z][a-z]+'
    r'|(?:Modify|Write) (?:host|service) [A-Za-z]+(?: attribute)?)')

# FreeIPA grants it to every authenticated principal: the guides say so,
# and it is not in novajoin's privilege.
GRANTED_TO_EVERYONE = frozenset(['System: Read Hosts'])


def doc_texts():
    """``{path relative to the repository: text}`` of every guide page."""
    paths = sorted(glob.glob(os.path.join(DOC_SOURCE, '**', '*.rst'),
                             recursive=True))
    paths.append(os.path.join(REPO, 'README.rst'))
    texts = {}
    for path in paths:
        with open(path, encoding='utf-8') as f:
            texts[os.path.relpath(path, REPO)] = f.read()
    return texts


def _namespaces():
    """The namespaces of the sample file's generator configuration.

    ``namespace`` is a repeated key, which configparser cannot read.
    """
    names = []
    with open(GENERATOR_CONF) as f:
        for line in f:
            key, _, value = line.partition('=')
            if key.strip() == 'namespace':
                names.append(value.strip())
    return names


def _list_opts(namespace):
    found = importlib.metadata.entry_points(group='oslo.config.opts',
                                            name=namespace)
    if not found:
        raise LookupError('no oslo.config.opts entry point %s' % namespace)
    return next(iter(found)).load()()


def known_options():
    """``{(group, option)}`` of the sample file's namespaces.

    Deprecated names are included, and the nova options the guides show.
    """
    known = set(NOVA_OPTIONS)
    for namespace in _namespaces():
        for group, opts in _list_opts(namespace):
            group_name = getattr(group, 'name', group) or 'DEFAULT'
            for opt in opts:
                known.add((group_name, opt.dest))
                for old in opt.deprecated_opts:
                    known.add((old.group or group_name,
                               (old.name or opt.dest).replace('-', '_')))
    return known


def documented_options(text):
    """``{(group, option)}`` named in ``text``."""
    found = set(INLINE_OPTION.findall(text))
    group = None
    for line in text.splitlines():
        header = INI_HEADER.match(line)
        if header:
            group = header.group(1)
            continue
        option = INI_OPTION.match(line) if group else None
        if option:
            found.add((group, option.group(1)))
        elif not line.strip() or not line.startswith(' '):
            group = None
    return found


def unknown_options(text, known=None):
    known = known_options() if known is None else known
    return {pair for pair in documented_options(text) if pair not in known}


def known_policies():
    return {rule.name for rule in policies.list_rules()}


def unknown_policies(text):
    return set(POLICY_NAME.findall(text)) - known_policies()


def metric_series():
    """Every series name the metrics export (``_total``, ``_bucket``...)."""
    suffixes = {'counter': ['_total'], 'gauge': [''],
                'histogram': ['_bucket', '_count', '_sum']}
    series = set()
    for metric in metrics.ALL:
        series.add(metric._name)
        series.update(metric._name + suffix
                      for suffix in suffixes[metric._type])
    return series


# novajoin_* names the guides mention that are not metrics: the owner
# record's key in IPA host descriptions and the dead-letter topic.
NOT_METRICS = frozenset([
    ownership.METADATA_KEY,
    next(opt.default for opts in notify_conf.list_opts().values()
         for opt in opts if opt.name == 'dead_letter_topic'),
])


def unknown_metrics(text):
    series = metric_series()
    unknown = set()
    for match in METRIC_NAME.finditer(text):
        name, wildcard = match.group(0).rstrip('*'), match.group(1)
        if name in NOT_METRICS:
            continue
        if wildcard:
            if not any(s.startswith(name) for s in series):
                unknown.add(match.group(0))
        elif name not in series:
            unknown.add(name)
    return unknown


def known_ipa_rbac_names():
    return (set(ipa_rbac.PRIVILEGE_PERMISSIONS)
            | {p.name for p in ipa_rbac.OWN_PERMISSIONS}
            | {ipa_rbac.PRIVILEGE, ipa_rbac.ROLE} | GRANTED_TO_EVERYONE)


def unknown_ipa_rbac_names(text):
    found = {re.sub(r'\s+', ' ', name)
             for name in PERMISSION_NAME.findall(text)}
    return found - known_ipa_rbac_names()
