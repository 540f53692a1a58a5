# SPDX-License-Identifier: BSD-2-Clause
"""Loopback servers in the shapes btfhub-fetch lists a remote archive from.

One ThreadingHTTPServer on 127.0.0.1 answers by URL path prefix, and tells
host names apart (127.0.0.1 and localhost reach the same socket), so one
server plays GitHub's API host, its raw-file host and a CDN it redirects to:

  GitHubRepo   /repos/OWNER/REPO/git/trees/{REF|SHA}[?recursive=1], the JSON of
               GitHub's REST reference (sha, url, tree[path, mode, type, sha,
               size (blobs), url], truncated), weak ETags and 304s, optional
               truncation over N entries, answers cut short once, rate-limit
               answers; raw files at
               /OWNER/REPO/REF/PATH that redirect to /cdn/... on another host
  StaticTree   files and generated directory pages: nginx, Apache or Python
               http.server autoindex, with Last-Modified / If-Modified-Since
  Endless      a body that never ends (listing bombs)
  Status       a fixed status (a 404 in front of another app)

Every request is recorded (host, path, Authorization, conditionals, status).
"""
import hashlib
import html
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler

from btfhub_server import BtfhubServer

LAST_MODIFIED = "Tue, 01 Oct 2024 00:00:00 GMT"


def git_blob_sha(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        srv = self.server
        req = {"host": (self.headers.get("Host") or "").split(":")[0], "path": self.path,
               "auth": self.headers.get("Authorization"),
               "if_none_match": self.headers.get("If-None-Match"),
               "if_modified_since": self.headers.get("If-Modified-Since"),
               "accept": self.headers.get("Accept"),
               "api_version": self.headers.get("X-GitHub-Api-Version")}
        with srv.lock:
            srv.log.append(req)
        for prefix, app in srv.apps:
            if self.path.startswith(prefix):
                try:
                    app.serve(self, req, self.path[len(prefix):])
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
        self.reply(req, 404, {}, b"not found\n")

    def reply(self, req, status, headers, body):
        req["status"] = status
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if body is not None and "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
            with self.server.lock:
                self.server.body_bytes += len(body)


class Server(BtfhubServer):
    """The fetch tests' server lifecycle with this module's handler."""

    def __init__(self):
        super().__init__(Handler)
        self.httpd.apps = []
        self.httpd.log = []

    @property
    def port(self):
        return self.httpd.server_address[1]

    def url(self, host="127.0.0.1"):
        return "http://%s:%d" % (host, self.port)

    def mount(self, prefix, app):
        """Longest prefixes first, so /a/b wins over /a."""
        self.httpd.apps.append((prefix, app))
        self.httpd.apps.sort(key=lambda a: -len(a[0]))
        return app

    def requests(self, prefix="", host=None):
        with self.httpd.lock:
            return [r for r in self.httpd.log if r["path"].startswith(prefix) and
                    (host is None or r["host"] == host)]



class StaticTree:
    """Files {relpath: bytes} with generated directory pages in @style."""

    def __init__(self, files, style="nginx", extra_links=None):
        self.files = dict(files)
        self.style = style
        self.extra_links = extra_links or {}   # dir relpath -> [raw hrefs]

    def children(self, d):
        out = set()
        pre = d + "/" if d else ""
        for p in self.files:
            if p.startswith(pre):
                rest = p[len(pre):]
                out.add(rest.split("/")[0] + ("/" if "/" in rest else ""))
        return sorted(out)

    def page(self, d, url_path):
        names = self.children(d)
        q = urllib.parse.quote
        if self.style == "python":
            rows = "".join('<li><a href="%s">%s</a></li>\n' % (q(n), html.escape(n))
                           for n in names)
            body = ('<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                    "<title>Directory listing for %s</title>\n</head>\n<body>\n"
                    "<h1>Directory listing for %s</h1>\n<hr>\n<ul>\n%s</ul>\n<hr>\n"
                    "</body>\n</html>\n" % (url_path, url_path, rows))
        elif self.style == "apache":
            rows = "".join('<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td>'
                           '<td><a href="%s">%s</a></td><td align="right">2024-10-01 00:00  '
                           '</td><td align="right">  - </td></tr>\n' % (q(n), html.escape(n))
                           for n in names)
            body = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n <head>\n'
                    "  <title>Index of %s</title>\n </head>\n <body>\n<h1>Index of %s</h1>\n"
                    "  <table>\n   <tr><th><a href=\"?C=N;O=D\">Name</a></th>"
                    "<th><a href=\"?C=M;O=A\">Last modified</a></th>"
                    "<th><a href=\"?C=S;O=A\">Size</a></th></tr>\n"
                    '<tr><td><a href="%s">Parent Directory</a></td></tr>\n%s'
                    "</table>\n</body></html>\n"
                    % (url_path, url_path, html.escape(url_path.rsplit("/", 2)[0] + "/"), rows))
        else:  # nginx: relative hrefs, "../" first, dates and sizes after
            rows = "".join('<a href="%s">%s</a>%s 01-Oct-2024 00:00    %s\n'
                           % (q(n), html.escape(n), " " * max(1, 50 - len(n)),
                              "-" if n.endswith("/") else
                              len(self.files.get((d + "/" if d else "") + n, b"")))
                           for n in names)
            body = ("<html>\r\n<head><title>Index of %s</title></head>\r\n<body>\r\n"
                    "<h1>Index of %s</h1><hr><pre><a href=\"../\">../</a>\n%s</pre><hr>"
                    "</body>\r\n</html>\r\n" % (url_path, url_path, rows))
        body += "".join('<a href="%s">x</a>\n' % h for h in self.extra_links.get(d, []))
        return body.encode()

    def serve(self, h, req, rest):
        path = urllib.parse.unquote(rest.split("?")[0]).strip("/")
        if rest.split("?")[0].endswith("/") or rest == "":
            if path and not any(p.startswith(path + "/") for p in self.files):
                return h.reply(req, 404, {}, b"no such directory\n")
            return h.reply(req, 200, {"Content-Type": "text/html"},
                           self.page(path, "/" + path + ("/" if path else "")))
        data = self.files.get(path)
        if data is None:
            return h.reply(req, 404, {}, b"not found\n")
        if req["if_modified_since"] == LAST_MODIFIED:
            return h.reply(req, 304, {"Last-Modified": LAST_MODIFIED}, None)
        h.reply(req, 200, {"Content-Type": "application/octet-stream",
                           "Last-Modified": LAST_MODIFIED}, data)


class Endless:
    """@chunk forever after @head (or a page linking ever deeper with @deep)."""

    def __init__(self, head, chunk, deep=False):
        self.head, self.chunk, self.deep = head, chunk, deep

    def serve(self, h, req, rest):
        if self.deep and not rest.endswith("/") and rest:
            return h.reply(req, 404, {}, b"not found\n")
        if self.deep:
            # Every page links 40 subdirectories: a tree without end.
            body = "".join('<a href="d%02d/">d%02d/</a>\n' % (i, i) for i in range(40))
            return h.reply(req, 200, {"Content-Type": "text/html"}, body.encode())
        req["status"] = 200
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.end_headers()
        h.wfile.write(self.head)
        while True:
            h.wfile.write(self.chunk)


class GitHubRepo:
    """OWNER/REPO at REF holding {path: bytes}, as the API and raw host serve it."""

    def __init__(self, srv, owner, repo, ref, files, truncate_over=None):
        self.srv, self.owner, self.repo, self.ref = srv, owner, repo, ref
        self.files = dict(files)
        self.truncate_over = truncate_over
        self.rate_limited = None        # None, "primary" or "secondary"
        self.hostile_paths = []         # extra tree paths (blobs) as given
        self.cdn_files = {}             # {path: bytes} the raw host serves instead (tampering)
        self.cut_once = set()           # directories whose next answer is cut in half

    # The git objects ---------------------------------------------------
    def tree_sha(self, d):
        """Stands in for git's tree hash: changes with the listing below @d."""
        below = sorted(p for p in self.files if p.startswith(d))
        return hashlib.sha1(("tree:%s:%s" % (d, below)).encode()).hexdigest()

    def subdirs(self):
        ds = {""}
        for p in self.files:
            parts = p.split("/")
            for i in range(1, len(parts)):
                ds.add("/".join(parts[:i]))
        return ds

    def entry(self, api, d, name):
        full = (d + "/" if d else "") + name
        if full in self.files:
            data = self.files[full]
            sha = git_blob_sha(data)
            return {"path": name, "mode": "100644", "type": "blob", "sha": sha,
                    "size": len(data),
                    "url": "%s/repos/%s/%s/git/blobs/%s" % (api, self.owner, self.repo, sha)}
        sha = self.tree_sha(full)
        return {"path": name, "mode": "040000", "type": "tree", "sha": sha,
                "url": "%s/repos/%s/%s/git/trees/%s" % (api, self.owner, self.repo, sha)}

    def tree(self, api, d, recursive):
        pre = d + "/" if d else ""
        if recursive:
            names = sorted({p[len(pre):] for p in self.files if p.startswith(pre)} |
                           {s[len(pre):] for s in self.subdirs() if s.startswith(pre) and s != d})
            if not d:
                names += self.hostile_paths
        else:
            names = sorted({p[len(pre):].split("/")[0] for p in self.files if p.startswith(pre)})
        entries = []
        for n in names:
            if n in self.hostile_paths:
                entries.append({"path": n, "mode": "100644", "type": "blob",
                                "sha": "0" * 40, "size": 1, "url": api})
            else:
                entries.append(self.entry(api, d, n))
        truncated = False
        if recursive and self.truncate_over is not None and len(entries) > self.truncate_over:
            entries, truncated = entries[:self.truncate_over], True
        sha = self.tree_sha(d)
        return {"sha": sha, "url": "%s/repos/%s/%s/git/trees/%s" % (api, self.owner, self.repo, sha),
                "tree": entries, "truncated": truncated}

    # HTTP ----------------------------------------------------------------
    def serve_api(self, h, req, rest):
        """@rest: after /repos/OWNER/REPO/git/trees/"""
        if self.rate_limited == "primary":
            body = json.dumps({"message": "API rate limit exceeded for 127.0.0.1. (But here's "
                               "the good news: Authenticated requests get a higher rate limit. "
                               "Check out the documentation for more details.)",
                               "documentation_url": "https://docs.github.com/rest/overview/"
                               "rate-limits-for-the-rest-api"}).encode()
            return h.reply(req, 403, {"Content-Type": "application/json; charset=utf-8",
                                      "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0",
                                      "X-RateLimit-Reset": "1893456000",
                                      "X-RateLimit-Used": "60",
                                      "X-RateLimit-Resource": "core"}, body)
        if self.rate_limited == "secondary":
            body = json.dumps({"message": "You have exceeded a secondary rate limit. Please "
                               "wait a few minutes before you try again.",
                               "documentation_url": "https://docs.github.com/"}).encode()
            return h.reply(req, 429, {"Content-Type": "application/json; charset=utf-8",
                                      "Retry-After": "30"}, body)
        name, _, query = rest.partition("?")
        recursive = query in ("recursive=1", "recursive=true")
        api = "http://%s" % h.headers.get("Host")
        if name == self.ref:
            d = ""
        else:
            by_sha = {self.tree_sha(s): s for s in self.subdirs()}
            if name not in by_sha:
                return h.reply(req, 404, {"Content-Type": "application/json"}, json.dumps(
                    {"message": "Not Found", "documentation_url": "https://docs.github.com/"
                     "rest/git/trees#get-a-tree", "status": "404"}).encode())
            d = by_sha[name]
        body = json.dumps(self.tree(api, d, recursive), indent=2).encode()
        if d in self.cut_once:
            self.cut_once.discard(d)
            body = body[:len(body) // 2]
        etag = 'W/"%s"' % hashlib.sha256(body).hexdigest()
        if req["if_none_match"] == etag:
            return h.reply(req, 304, {"ETag": etag}, None)
        h.reply(req, 200, {"Content-Type": "application/json; charset=utf-8", "ETag": etag,
                           "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "59",
                           "X-RateLimit-Reset": "1893456000"}, body)

    def serve_raw(self, h, req, rest):
        """@rest: PATH after /OWNER/REPO/REF/; the raw host redirects to a CDN host."""
        path = urllib.parse.unquote(rest)
        if path not in self.files:
            return h.reply(req, 404, {}, b"404: Not Found")
        cdn = "http://127.0.0.1:%d/cdn/%s/%s/%s" % (self.srv.port, self.owner, self.repo, rest)
        h.reply(req, 302, {"Location": cdn}, b"")

    def serve_cdn(self, h, req, rest):
        path = urllib.parse.unquote(rest)
        data = self.cdn_files.get(path, self.files.get(path))
        if data is None:
            return h.reply(req, 404, {}, b"404: Not Found")
        etag = '"%s"' % hashlib.sha256(data).hexdigest()
        if req["if_none_match"] == etag:
            return h.reply(req, 304, {"ETag": etag}, None)
        h.reply(req, 200, {"Content-Type": "application/octet-stream", "ETag": etag}, data)

    def mount(self):
        o, r = self.owner, self.repo
        srv = self.srv
        srv.mount("/repos/%s/%s/git/trees/" % (o, r), _Bound(self.serve_api))
        srv.mount("/%s/%s/%s/" % (o, r, self.ref), _Bound(self.serve_raw))
        srv.mount("/cdn/%s/%s/" % (o, r), _Bound(self.serve_cdn))
        return self


class _Bound:
    def __init__(self, fn):
        self.serve = fn


class Redirect:
    """301 to @target + the rest of the path (a renamed repository, another host)."""

    def __init__(self, target):
        self.target = target

    def serve(self, h, req, rest):
        h.reply(req, 301, {"Location": self.target + rest}, b"")


class Status:
    """A fixed answer: @status with a short body (a 404 in front of another app)."""

    def __init__(self, status):
        self.status = status

    def serve(self, h, req, rest):
        h.reply(req, self.status, {}, b"status %d\n" % self.status)
