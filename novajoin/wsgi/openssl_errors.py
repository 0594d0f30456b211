"""The OpenSSL error queue a uWSGI worker inherits, emptied.

uWSGI's HTTPS router (``https =`` in the shipped ini) reads its
certificate file in the master and leaves "PEM routines::no start line" in
the OpenSSL error queue of the master's main thread. OpenSSL keeps that
queue per thread and fork() copies it: every worker starts with the stale
error in its main thread, the one that builds the application (lazy-apps)
and serves request core 0. ``SSL_get_error()`` looks at the queue before
anything else, so the first TLS read or handshake on that thread that has to
wait for the network (every socket with a timeout) failed with
``[PEM: NO_START_LINE] no start line`` instead of waiting: an IPA call
failed, was retried, and IPA saw one call more than novajoin counted.
"""

import _ssl
import ctypes


def clear():
    """Empty the calling thread's OpenSSL error queue.

    True once done; False if ``ERR_clear_error`` cannot be reached (an
    ``_ssl`` module linked statically), in which case nothing changed.
    """
    try:
        err_clear_error = ctypes.CDLL(_ssl.__file__).ERR_clear_error
    except (OSError, AttributeError):
        return False
    err_clear_error.restype = None
    err_clear_error.argtypes = []
    err_clear_error()
    return True


def pending():
    """The calling thread's oldest queued OpenSSL error code (0: none)."""
    err_peek_error = ctypes.CDLL(_ssl.__file__).ERR_peek_error
    err_peek_error.restype = ctypes.c_ulong
    err_peek_error.argtypes = []
    return err_peek_error()
