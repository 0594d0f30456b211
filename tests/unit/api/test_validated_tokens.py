"""ValidatedTokens: hashes only, forgotten before keystonemiddleware does."""

from novajoin.api import validated_tokens


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_validated_tokens_are_recent_until_before_the_cache_forgets():
    clock = Clock()
    tokens = validated_tokens.ValidatedTokens(300, clock=clock)
    started = tokens.start()
    clock.now += 2.5  # the validation took that long
    tokens.add(('user-token', None), started)
    assert ('user-token', None) in tokens
    assert ('user-token', 'service-token') not in tokens
    assert ('other-token', None) not in tokens
    clock.now = started + 298.9
    assert ('user-token', None) in tokens
    clock.now = started + 299.0
    assert ('user-token', None) not in tokens


def test_nothing_is_recent_when_keystonemiddleware_does_not_cache():
    tokens = validated_tokens.ValidatedTokens(-1, clock=Clock())
    tokens.add(('user-token', None), tokens.start())
    assert ('user-token', None) not in tokens


def test_only_hashes_are_kept():
    tokens = validated_tokens.ValidatedTokens(300)
    tokens.add(('gAAAAA-secret-token', None), tokens.start())
    assert 'gAAAAA-secret-token' not in repr(vars(tokens))
    assert all(len(key) == 32 for key in tokens._expiry)


def test_the_number_of_tokens_remembered_is_bounded():
    tokens = validated_tokens.ValidatedTokens(300, clock=Clock())
    for n in range(validated_tokens.MAX_TOKENS + 10):
        tokens.add(('token-%d' % n, None), tokens.start())
    assert len(tokens._expiry) == validated_tokens.MAX_TOKENS
    assert ('token-%d' % (validated_tokens.MAX_TOKENS + 9), None) in tokens
