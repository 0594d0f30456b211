"""TLS services of an instance: subhosts and Kerberos service principals.

Instance metadata (novajoin 1.3.0's keys, tenant-controlled) asks for them:

- ``compact_service_<svc> = ["net1", ...]`` (or the older
  ``compact_services = {"<svc>": ["net1", ...]}``): per network a subhost
  ``<short>.<net>.<domain>`` (``<domain>``: the project's subdomain with
  ``project_subdomain``) owned by the instance and a principal
  ``<svc>/<subhost>``;
- ``managed_service_<x> = "<svc>/<host>"``: a principal on another name
  (a VIP) that several instances may manage.

The instance's host is made a manager of each subhost (``host_add_managedby``)
and principal (``service_add_host``): that is what FreeIPA checks when the
instance fetches a keytab (``ipa-getkeytab``) or certmonger requests a
certificate for those names.

Modules, in the order a request goes through them: :mod:`.metadata` reads
and validates the keys; :mod:`.state` reads what IPA holds in one
``batch``; :mod:`.confinement` decides what this instance may have, without
IPA; :mod:`.writes` applies it in one ``batch``; :mod:`.release` takes
things away again (delete, update); :mod:`.manager` calls them in that
order, one after the other, for the API and the listener, and asks
:mod:`.records` first whether a vendordata request repeats metadata
already satisfied (then IPA is not asked) and whether the instance is
within its hourly budget. :mod:`.rules`
(the instance, the operator's rules, whose an existing entry is) is what
they judge names by; it calls none of them.
"""
