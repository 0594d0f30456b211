"""openssl_errors.clear() empties the thread's OpenSSL error queue.

The stale error is made the way uWSGI's HTTPS router makes it in its
master (issue 19): a PEM read of something that is not PEM, with the error
left in the queue.
"""

import _ssl
import ctypes

from novajoin.wsgi import openssl_errors

_CRYPTO = ctypes.CDLL(_ssl.__file__)


def _leave_stale_pem_error():
    _CRYPTO.BIO_new_mem_buf.restype = ctypes.c_void_p
    _CRYPTO.BIO_new_mem_buf.argtypes = [ctypes.c_char_p, ctypes.c_int]
    _CRYPTO.PEM_read_bio_X509.restype = ctypes.c_void_p
    _CRYPTO.PEM_read_bio_X509.argtypes = [ctypes.c_void_p] * 4
    _CRYPTO.BIO_free.argtypes = [ctypes.c_void_p]
    bio = _CRYPTO.BIO_new_mem_buf(b'not a certificate', -1)
    assert not _CRYPTO.PEM_read_bio_X509(bio, None, None, None)
    _CRYPTO.BIO_free(bio)


def test_clear_empties_the_queue():
    _leave_stale_pem_error()
    assert openssl_errors.pending() != 0
    assert openssl_errors.clear()
    assert openssl_errors.pending() == 0


def test_clear_of_an_empty_queue_is_harmless():
    assert openssl_errors.clear()
    assert openssl_errors.clear()
    assert openssl_errors.pending() == 0
