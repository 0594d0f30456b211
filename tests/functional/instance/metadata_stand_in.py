"""A metadata service stand-in on 127.0.0.1 for the enrollment script."""

import http.server
import threading
import time


class MetadataStandIn:
    """Serves vendor_data2.json documents like nova's metadata service.

    ``documents`` maps a version to the body of its vendor_data2.json (other
    versions answer 404). ``upcoming`` lists what the next requests get
    instead: ``('delay', seconds)`` answers after that long, ``('status',
    code)`` answers with that error; ``always_status`` fails every request.
    """

    def __init__(self):
        self.documents = {}
        self.upcoming = []
        self.always_status = None
        self.requests = []
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), self._handler_class())
        self.url = 'http://127.0.0.1:%d/openstack' % (
            self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={'poll_interval': 0.05},
                                        daemon=True)

    def _next_behaviour(self, path):
        with self._lock:
            self.requests.append(path)
            if self.always_status:
                return ('status', self.always_status)
            return self.upcoming.pop(0) if self.upcoming else None

    def _document(self, path):
        parts = path.strip('/').split('/')
        if (len(parts) == 3 and parts[0] == 'openstack'
                and parts[2] == 'vendor_data2.json'):
            return self.documents.get(parts[1])
        return None

    def _handler_class(self):
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                behaviour = stand_in._next_behaviour(self.path)
                if behaviour and behaviour[0] == 'delay':
                    time.sleep(behaviour[1])
                    behaviour = None
                if behaviour:
                    self._answer(behaviour[1], b'{"error": "stand-in"}')
                    return
                body = stand_in._document(self.path)
                if body is None:
                    self._answer(404, b'Not Found')
                else:
                    self._answer(200, body.encode())

            def _answer(self, status, body):
                try:
                    self.send_response(status)
                    self.send_header('Content-Type', 'application/json')
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the script gave up waiting, as intended

            def log_message(self, format, *args):
                pass

        return Handler

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
