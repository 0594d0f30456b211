"""A FreeIPA JSON-RPC server simulator for tests, benchmarks and the sandbox.

Run it with ``python -m tests.ipasim --help``; it follows
``ipa-jsonrpc.md`` and FreeIPA's ``API.txt`` for the commands novajoin uses.
"""
