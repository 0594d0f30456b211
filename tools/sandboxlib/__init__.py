"""The local sandbox and the benchmark: novajoin on this machine alone.

``stack`` starts the services (throwaway CA, IPA simulator, Keystone,
OpenStack stand-in, novajoin-server, novajoin-notify), ``nova`` plays
nova's side (vendordata requests, notifications), ``report`` prints steps.
"""
