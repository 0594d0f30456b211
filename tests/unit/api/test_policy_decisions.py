"""The enforcer remembers allowed callers for a while, not refusals."""

from oslo_policy import policy as oslo_policy
import pytest

from novajoin.api import context
from novajoin.policies import enforcer as policy
from novajoin.policies import join


def _context(user_name, project_name, roles, domain='default'):
    return context.RequestContext(user_id='u', user_name=user_name,
                                  project_id='p', project_name=project_name,
                                  user_domain_id=domain,
                                  project_domain_id=domain, roles=roles)


@pytest.fixture
def counted(conf, monkeypatch):
    enforcer = policy.build_enforcer(conf)
    calls = []
    original = oslo_policy.Enforcer.authorize

    def authorize(self, *args, **kwargs):
        calls.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(oslo_policy.Enforcer, 'authorize', authorize)
    return enforcer, calls


def test_an_allowed_caller_is_not_evaluated_again(counted):
    enforcer, calls = counted
    nova = _context('nova', 'service', ['member'])
    for _ in range(3):
        assert enforcer.authorize(join.CREATE, {}, nova) is True
    assert calls == [join.CREATE]
    # Another caller's credentials are evaluated on their own.
    assert enforcer.authorize(join.CREATE, {},
                              _context('x', 'y', ['service'])) is True
    assert len(calls) == 2


def test_a_refused_caller_is_evaluated_and_refused_every_time(counted):
    enforcer, calls = counted
    demo = _context('demo', 'demo', ['member'])
    for _ in range(2):
        with pytest.raises(oslo_policy.PolicyNotAuthorized):
            enforcer.authorize(join.CREATE, {}, demo, do_raise=True)
    assert len(calls) == 2


def test_an_allowed_caller_does_not_allow_its_namesake_elsewhere(counted):
    enforcer, calls = counted
    assert enforcer.authorize(join.CREATE, {},
                              _context('nova', 'service', ['member']))
    impostor = _context('nova', 'service', ['member'], domain='d2')
    assert enforcer.authorize(join.CREATE, {}, impostor) is False


def test_allowed_decisions_expire(counted, monkeypatch):
    enforcer, calls = counted
    nova = _context('nova', 'service', ['member'])
    assert enforcer.authorize(join.CREATE, {}, nova)
    enforcer._allowed.expire(enforcer._allowed.timer()
                             + policy.DECISION_TTL + 1)
    assert enforcer.authorize(join.CREATE, {}, nova)
    assert len(calls) == 2
