# SPDX-License-Identifier: BSD-2-Clause
"""A BTFHub-shaped HTTP server for the fetch tests, with fault injection.

Routes map a URL path to bytes and a fault. The server supports what
btfhub-fetch relies on (ETag, Last-Modified, If-None-Match, Range, If-Range)
and counts every request and every body byte it sends, so a test can assert
what went over the wire.
"""
import hashlib
import socket
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Tue, 01 Oct 2024 00:00:00 GMT"


class Route:
    def __init__(self, data, fault=None, then=None):
        # None, "500once", "500always", "cut", "wronglen", "slow" (3 s), "delay" (0.6 s),
        # "stall"/"stallonce" (half the body, then silence with the connection open),
        # "503after"/"429date" (once, with Retry-After in seconds / as an HTTP-date),
        # "retryhuge" (503 once, Retry-After: 100000)
        self.fault = fault
        self.then = then    # with "cut": the archive served from the second request on
        self.hits = 0
        self.set_data(data)

    def set_data(self, data):
        self.data = data
        self.etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"   # one response per connection: cuts are clean

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        srv = self.server
        req = {"path": self.path, "time": time.monotonic(), "range": self.headers.get("Range"),
               "if_none_match": self.headers.get("If-None-Match"),
               "if_range": self.headers.get("If-Range")}
        self._req = req
        with srv.lock:
            srv.requests.append(req)
            route = srv.routes.get(self.path)
            if route:
                route.hits += 1
        try:
            self._serve(route, req)
        except (BrokenPipeError, ConnectionResetError):
            pass        # the client gave up (timeout tests)
        req["done"] = True      # the whole response is written and flushed

    def _send_body(self, data):
        # Counted before it is sent (the client cannot see bytes not yet counted),
        # per request too: a late write of an earlier case does not blur a later one.
        with self.server.lock:
            self.server.body_bytes += len(data)
            self._req["sent"] = self._req.get("sent", 0) + len(data)
        self.wfile.write(data)
        self.wfile.flush()

    def _status(self, code, req):
        req["status"] = code
        self.send_response(code)

    def _serve(self, route, req):
        if route is None:
            self._status(404, req)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self._send_body(b"not found")
            return
        if route.fault == "cut" and route.hits == 2 and route.then is not None:
            route.set_data(route.then)   # changed between the cut and the resume
        if (route.fault == "500once" and route.hits == 1) or route.fault == "500always":
            self._status(500, req)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self._send_body(b"oops\n")
            return
        if route.hits == 1 and route.fault in ("503after", "429date", "retryhuge"):
            code = 429 if route.fault == "429date" else 503
            self._status(code, req)
            if route.fault == "429date":
                self.send_header("Retry-After", formatdate(time.time() + 2, usegmt=True))
            else:
                self.send_header("Retry-After", "100000" if route.fault == "retryhuge" else "2")
            self.send_header("Content-Length", "5")
            self.end_headers()
            self._send_body(b"busy\n")
            return
        if route.fault == "slow":
            # A test that needs an order of events, not a duration, sets
            # .release and sets it when that order is established; the
            # duration is then only a cap, which fails the test's ordering
            # check rather than hangs it.
            if self.server.release is not None:
                self.server.release.wait(self.server.slow_seconds)
            else:
                time.sleep(self.server.slow_seconds)
        elif route.fault == "delay":
            time.sleep(0.6)
        data = route.data
        if req["if_none_match"] == route.etag:
            self._status(304, req)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return
        start = 0
        rng = req["range"]
        if rng and rng.startswith("bytes=") and rng.endswith("-") and \
                req["if_range"] in (None, route.etag, LAST_MODIFIED):
            start = int(rng[6:-1])
        declared = len(data) + (100 if route.fault == "wronglen" else 0)
        if start and start >= declared:
            self._status(416, req)
            self.send_header("Content-Range", "bytes */%d" % declared)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = data[start:]
        if start:
            self._status(206, req)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, declared - 1, declared))
        else:
            self._status(200, req)
        self.send_header("Content-Type", "application/x-xz")
        self.send_header("Content-Length", str(declared - start))
        self.send_header("ETag", route.etag)
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.end_headers()
        if route.fault == "stall" or (route.fault == "stallonce" and route.hits == 1):
            # Half the body, then nothing: only a low-speed limit ends this.
            self._send_body(body[:len(body) // 2])
            self.server.stall.wait(30)
            return
        if route.fault == "cut" and route.hits == 1:
            # Half the body, then drop the connection: the client must resume.
            self._send_body(body[:len(body) // 2])
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send_body(body)
        if route.fault == "wronglen":
            # Promised 100 more bytes than exist; end the connection short.
            self.connection.shutdown(socket.SHUT_RDWR)


class BtfhubServer:
    """Started and stopped by the test: `with BtfhubServer() as s:`."""

    def __init__(self, handler=Handler):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.lock = threading.Lock()
        self.httpd.routes = {}
        self.httpd.requests = []
        self.httpd.body_bytes = 0
        self.httpd.slow_seconds = 3
        self.httpd.release = None                # a threading.Event that ends "slow" early
        self.httpd.stall = threading.Event()     # set on shutdown: stalled handlers end
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.stall.set()
        if self.httpd.release is not None:
            self.httpd.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def add(self, path, data, fault=None, then=None):
        self.httpd.routes[path] = Route(data, fault, then)

    def replace(self, path, data):
        with self.httpd.lock:
            self.httpd.routes[path].set_data(data)

    @property
    def body_bytes(self):
        with self.httpd.lock:
            return self.httpd.body_bytes

    def sent(self, prefix):
        """Body bytes sent for requests under @prefix."""
        with self.httpd.lock:
            return sum(r.get("sent", 0) for r in self.httpd.requests
                       if r["path"].startswith(prefix))

    def requests(self, prefix=""):
        with self.httpd.lock:
            return [r for r in self.httpd.requests if r["path"].startswith(prefix)]
