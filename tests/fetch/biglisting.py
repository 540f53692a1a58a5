# SPDX-License-Identifier: BSD-2-Clause
"""SYNTHETIC listing answers of a chosen size, for memory bounds (issue 27 item 5).

Nothing here is BTFHub's real listing (its trees answer is ~1.5 MB): the
answers are generated to a byte size in the shapes btfhub-fetch reads, with
BTFHub-shaped keys (ubuntu/20.04/x86_64/5.4.0-N-generic.btf.tar.xz), so
that the peak RSS of a listing can be measured against the answer's size:

  trees(size, archives)   a GitHub trees-API answer (REST shape: path, mode,
                          type, sha, size, url; compact JSON as the API
                          sends it); @archives archive blobs, the rest of
                          the size in .sha256 files beside them (skipped)
  index(archives)         a btfhub-index.json (indexer.c's layout, two-space
                          indent), ~150 bytes an entry; index_of_size(size)
  autoindex(size)         an nginx directory page of archive links

bench/listing_rss.py and tests/fetch/test_listing_rss.py share it, and the
apps that serve it from remote_server.Server (Fixed, Pages, mount_tree). A
few archives are under debian/12/x86_64 so that a selection matches
something.
"""

DEBIAN = 8      # archives under debian/12/x86_64 (the rest: ubuntu/20.04/x86_64)


def key(i):
    if i < DEBIAN:
        return "debian/12/x86_64/6.1.0-%d-amd64.btf.tar.xz" % i
    return "ubuntu/20.04/x86_64/5.4.0-%d-generic.btf.tar.xz" % i


def _sha1(i):
    """Stands in for a git blob SHA (40 hex; no content behind it)."""
    return "%040x" % (i * 0x9E3779B97F4A7C15)


def _blob(path, i, api):
    sha = _sha1(i)
    # json.dumps's compact form, written out: 240,000 of them take 14 s through json.
    return ('{"path":"%s","mode":"100644","type":"blob","sha":"%s","size":%d,'
            '"url":"%s/git/blobs/%s"}' % (path, sha, 1000000 + i, api, sha)).encode()


def trees(size, archives, api="https://api.github.com/repos/aquasecurity/btfhub-archive"):
    """A recursive trees answer of about @size bytes (never more) listing @archives archives."""
    head = b'{"sha":"%s","url":"%s/git/trees/%s","tree":[' % (
        _sha1(0).encode(), api.encode(), _sha1(0).encode())
    tail = b'],"truncated":false}'
    parts, n = [], len(head) + len(tail)
    for i in range(archives):
        e = _blob(key(i), i, api)
        n += len(e) + 1
        parts.append(e)
    j = archives
    while True:
        e = _blob(key(j % max(archives, 1)) + ".sha256", j, api)
        if n + len(e) + 1 > size:
            break
        n += len(e) + 1
        parts.append(e)
        j += 1
    return head + b",".join(parts) + tail


def long_key(i):
    """A key of the longest names a listing takes (tools/btfhub/layout.h: 63/63/31/191)."""
    return "%s/%s/x86_64/%s.btf.tar.xz" % ("u" * 63, "2" * 63, ("5.4.0-%d-" % i).ljust(191, "g"))


def index(archives, keyf=key):
    """An index naming @archives archives (~150 bytes each with BTFHub-shaped keys)."""
    rows = [b'    {\n      "key": "%s",\n      "size": %d,\n      "sha256": "%s"\n    }'
            % (keyf(i).encode(), 1000000 + i, ("%064x" % (i * 0x9E3779B97F4A7C15)).encode())
            for i in range(archives)]
    return b'{\n  "format": "btfhub-index",\n  "version": 1,\n  "archives": [\n' + \
        b",\n".join(rows) + b"\n  ]\n}\n"


def index_of_size(size):
    """An index of about @size bytes (at most), entries only."""
    per = (len(index(DEBIAN + 10000)) - len(index(DEBIAN))) / 10000
    n = int((size - len(index(0))) / (per * 1.02))
    body = index(n)
    while len(body) > size:
        n -= max(1, (len(body) - size) // 100)
        body = index(n)
    return body


def autoindex(size, url_path="/m/ubuntu/20.04/x86_64/"):
    """An nginx page of about @size bytes; its archive names, in order."""
    head = ("<html>\r\n<head><title>Index of %s</title></head>\r\n<body>\r\n"
            "<h1>Index of %s</h1><hr><pre><a href=\"../\">../</a>\n" % (url_path, url_path)).encode()
    tail = b"</pre><hr></body>\r\n</html>\r\n"
    rows, names, n, i = [], [], len(head) + len(tail), DEBIAN
    while True:
        name = key(i).rsplit("/", 1)[1]
        row = ('<a href="%s">%s</a>%s 01-Oct-2024 00:00    %d\n'
               % (name, name, " " * max(1, 50 - len(name)), 1000000 + i)).encode()
        if n + len(row) > size:
            break
        rows.append(row)
        names.append(name)
        n += len(row)
        i += 1
    return head + b"".join(rows) + tail, names


class Fixed:
    """@body (200) at exactly the mounted path (and any query), 404 below it."""

    def __init__(self, body, ctype="application/json"):
        self.body, self.ctype = body, ctype

    def serve(self, h, req, rest):
        if rest.split("?")[0] not in ("", "HEAD"):
            return h.reply(req, 404, {}, b"not found\n")
        h.reply(req, 200, {"Content-Type": self.ctype}, self.body)


class Pages:
    """{relative path: HTML} directory pages; anything else 404 (no index)."""

    def __init__(self, pages):
        self.pages = pages

    def serve(self, h, req, rest):
        page = self.pages.get(rest.split("?")[0])
        if page is None:
            return h.reply(req, 404, {}, b"not found\n")
        h.reply(req, 200, {"Content-Type": "text/html"}, page)


def nginx(url_path, names):
    rows = "".join('<a href="%s">%s</a>\n' % (n, n) for n in names)
    return ("<html><body><h1>Index of %s</h1><pre><a href=\"../\">../</a>\n%s</pre>"
            "</body></html>\n" % (url_path, rows)).encode()


def mount_tree(srv, prefix, leaf):
    """Directory pages at @prefix down to ubuntu/20.04/x86_64/ (@leaf) and debian's few."""
    deb = [key(i).rsplit("/", 1)[1] for i in range(DEBIAN)]
    srv.mount(prefix, Pages({
        "": nginx(prefix, ["debian/", "ubuntu/"]),
        "debian/": nginx(prefix + "debian/", ["12/"]),
        "debian/12/": nginx(prefix + "debian/12/", ["x86_64/"]),
        "debian/12/x86_64/": nginx(prefix + "debian/12/x86_64/", deb),
        "ubuntu/": nginx(prefix + "ubuntu/", ["20.04/"]),
        "ubuntu/20.04/": nginx(prefix + "ubuntu/20.04/", ["x86_64/"]),
        "ubuntu/20.04/x86_64/": leaf}))
