import pytest

from novajoin import exception
from novajoin.hosts import hostname

DOMAIN = 'example.test'


def fqdn(name, **kwargs):
    return hostname.instance_fqdn(name, DOMAIN, **kwargs)


def refused(name, domain=DOMAIN, **kwargs):
    with pytest.raises(exception.InvalidHostname) as caught:
        hostname.instance_fqdn(name, domain, **kwargs)
    return caught.value


def test_hostname_in_the_domain_lowercased():
    assert fqdn('Web1') == 'web1.example.test'
    assert hostname.instance_fqdn('web1', 'Example.TEST.') == (
        'web1.example.test')


def test_label_of_63_octets_is_accepted_64_is_refused():
    assert fqdn('a' * 63) == 'a' * 63 + '.' + DOMAIN
    error = refused('a' * 64)
    assert '64 octets' in error.message and '63' in error.message


def test_name_of_253_octets_is_accepted_254_is_refused():
    # 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253
    domain = '%s.%s.%s' % ('b' * 63, 'c' * 63, 'd' * 61)
    name = hostname.instance_fqdn('a' * 63, domain)
    assert len(name) == hostname.MAX_NAME_OCTETS
    error = refused('a' * 63, domain=domain + 'e')
    assert '254 characters' in error.message


@pytest.mark.parametrize('name', [
    'bad_name', 'web 1', 'web!', 'bücher', 'xn--bcher-kva\u00e9', 'caf\u00e9',
    '\u0441\u0435\u0440\u0432\u0435\u0440',
])
def test_characters_outside_rfc_1123_are_refused(name):
    error = refused(name)
    assert 'ASCII letters, digits and hyphens' in error.message


def test_punycode_idn_label_is_accepted_as_is():
    # An IDN has to come already encoded (xn--): it is plain LDH then.
    assert fqdn('xn--bcher-kva') == 'xn--bcher-kva.example.test'


@pytest.mark.parametrize('name', ['-web', 'web-', '-'])
def test_leading_or_trailing_hyphen_is_refused(name):
    assert 'hyphen' in refused(name).message


def test_inner_hyphens_and_digit_only_labels_are_accepted():
    assert fqdn('web--1') == 'web--1.example.test'
    assert fqdn('123') == '123.example.test'


def test_empty_hostname_is_refused():
    assert 'empty' in refused('').message


@pytest.mark.parametrize('name', ['web1.other', 'web1.', '.web1'])
def test_hostname_with_a_dot_is_refused(name):
    # A dot would let a tenant reach into another (project) subdomain.
    assert 'single DNS label' in refused(name).message


@pytest.mark.parametrize('domain', ['', '.', 'example..test', 'ex_ample.test',
                                    '-example.test'])
def test_bad_domain_is_refused(domain):
    refused('web1', domain=domain)


@pytest.mark.parametrize('name', [None, b'web1', 42])
def test_hostname_that_is_not_text_is_refused(name):
    assert 'must be a string' in refused(name).message


def test_project_subdomain_is_the_project_name():
    name = fqdn('web1', project_name='web-team-2', project_subdomain=True)
    assert name == 'web1.web-team-2.example.test'


@pytest.mark.parametrize('project', [
    'Web Team', 'web_team', 'Web-Team', 'web.team', '-web-team-',
    'web\u00e9team', '  edge  ', '__', 'p' * 64, '',
    # U+212A KELVIN SIGN lowercases to an ASCII k.
    '\u212aelvin',
])
def test_project_name_that_is_not_a_lowercase_label_is_refused(project):
    error = refused('web1', project_name=project, project_subdomain=True)
    assert 'project' in error.message


def test_distinct_names_never_share_a_subdomain():
    names = ['my_proj', 'my-proj', 'My Proj', 'my.proj', '-my-proj-',
             'my\u00e9proj', 'MY-PROJ']
    labels = set()
    for name in names:
        try:
            labels.add(fqdn('web1', project_name=name,
                            project_subdomain=True))
        except exception.InvalidHostname:
            pass
    assert labels == {'web1.my-proj.example.test'}


def test_project_label_of_63_octets_is_accepted():
    assert fqdn('web1', project_name='p' * 63, project_subdomain=True)


def test_max_length_is_ipas_limit():
    assert fqdn('a' * 51, max_length=64) == 'a' * 51 + '.example.test'
    error = refused('a' * 52, max_length=64)
    assert '65 characters' in error.message and 'at most 64' in error.message


def test_project_name_is_ignored_without_project_subdomain():
    assert fqdn('web1', project_name='Web Team') == 'web1.example.test'


def test_project_subdomain_without_project_name_is_a_programming_error():
    with pytest.raises(ValueError):
        fqdn('web1', project_subdomain=True)


def test_project_subdomain_counts_towards_the_total_length():
    domain = '%s.%s.%s' % ('b' * 63, 'c' * 63, 'd' * 61)
    # 51 + 1 + 11 + 1 + 189 = 253 octets: accepted; one more is not.
    name = hostname.instance_fqdn('a' * 51, domain, project_name='p' * 11,
                                  project_subdomain=True)
    assert len(name) == hostname.MAX_NAME_OCTETS
    with pytest.raises(exception.InvalidHostname):
        hostname.instance_fqdn('a' * 51, domain, project_name='p' * 12,
                               project_subdomain=True)


def test_invalid_hostname_is_an_invalid_request():
    # The API answers InvalidRequest with 400.
    assert issubclass(exception.InvalidHostname, exception.InvalidRequest)


@pytest.mark.parametrize('name', ['web\u212a', '\u212aube'])
def test_kelvin_sign_is_refused_not_lowercased_into_k(name):
    # 'web\u212a'.lower() == 'webk': the check is on what nova sent.
    error = refused(name)
    assert 'ASCII letters, digits and hyphens' in error.message
    refused('web1', domain='\u212a.example.test')
