# SPDX-License-Identifier: BSD-2-Clause
"""A Debian-format package repository for the make-apt tests, built in memory
and served by tests/fetch/btfhub_server.py on 127.0.0.1 (its fault
injection: stalls, 404s), signed with a throwaway OpenPGP key made in a
temporary GNUPGHOME when gpg is installed.

    repo = Repo(arch="amd64")
    repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.1-1", payload)
    repo.publish(server, signer)       # dists/, pool/ as APT reads them

Every hash and size is computed from the bytes served; a test makes one lie
by overriding it (Pkg.sha256 / .size, Repo.index_lie).
"""
import hashlib
import lzma
import os
import shutil
import subprocess
import tempfile


def sha256(b):
    return hashlib.sha256(b).hexdigest()


class Pkg:
    def __init__(self, suite, name, version, payload, arch, extra=None):
        self.suite, self.name, self.version, self.payload = suite, name, version, payload
        self.arch = arch
        self.filename = "pool/main/l/linux/%s_%s_%s.deb" % (name, version, arch)
        self.sha256 = sha256(payload)
        self.size = len(payload)
        self.extra = extra or {}     # field -> value, added or replacing

    def paragraph(self):
        fields = [("Package", self.name), ("Source", "linux"), ("Version", self.version),
                  ("Architecture", self.arch), ("Filename", self.filename),
                  ("Size", str(self.size)), ("SHA256", self.sha256),
                  ("Description", "Linux %s for testing\n a continuation line\n ." % self.name)]
        out, seen = [], set()
        for k, v in fields:
            if k in self.extra:
                v = self.extra[k]
            seen.add(k)
            if v is not None:
                out.append("%s: %s" % (k, v))
        out += ["%s: %s" % (k, v) for k, v in self.extra.items() if k not in seen]
        return "\n".join(out) + "\n"


class Signer:
    """A throwaway signing key in a temporary GNUPGHOME (None without gpg)."""

    def __init__(self, tmp, name="btfkit test"):
        self.home = tempfile.mkdtemp(prefix="gnupg.", dir=tmp)
        os.chmod(self.home, 0o700)
        self.env = dict(os.environ, GNUPGHOME=self.home)
        self._gpg(["--quick-gen-key", "%s <test@btfkit.invalid>" % name, "ed25519", "sign",
                   "never"])
        self.keyring = os.path.join(tmp, "%s.gpg" % name.replace(" ", "-"))
        with open(self.keyring, "wb") as f:
            f.write(self._gpg(["--export"]))

    def _gpg(self, args, data=None):
        p = subprocess.run(["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                            "--yes"] + args, input=data, capture_output=True, env=self.env,
                           timeout=120)
        assert p.returncode == 0, p.stderr.decode(errors="replace")
        return p.stdout

    def clearsign(self, text):
        return self._gpg(["--clearsign", "--digest-algo", "SHA512"], text)

    def detach(self, text):
        return self._gpg(["--detach-sign"], text)

    def close(self):
        subprocess.run(["gpgconf", "--homedir", self.home, "--kill", "all"],
                       capture_output=True, timeout=30)
        shutil.rmtree(self.home, ignore_errors=True)

    @staticmethod
    def available():
        return shutil.which("gpg") and shutil.which("gpgv") and shutil.which("gpgconf")


class Repo:
    def __init__(self, arch="amd64", component="main"):
        self.arch, self.component = arch, component
        self.pkgs = []
        # Per suite: "sha256" / "size" of the index Release names, replaced by a lie.
        self.index_lie = {}
        self.release_extra = {}      # suite -> text appended to Release
        self.packages_extra = {}     # suite -> raw text appended to Packages
        self.inrelease = True        # else Release + Release.gpg only

    def add(self, suite, name, version, payload, **extra):
        p = Pkg(suite, name, version, payload, self.arch, extra)
        self.pkgs.append(p)
        return p

    def suites(self):
        return sorted({p.suite for p in self.pkgs} | set(self.packages_extra))

    def packages(self, suite):
        text = "\n".join(p.paragraph() for p in self.pkgs if p.suite == suite)
        return (text + self.packages_extra.get(suite, "")).encode()

    def release(self, suite, index_path, index):
        sha, size = sha256(index), len(index)
        lie = self.index_lie.get(suite, {})
        sha, size = lie.get("sha256", sha), lie.get("size", size)
        plain = self.packages(suite)
        text = ("Origin: btfkit-test\nLabel: btfkit-test\nSuite: %s\nCodename: %s\n"
                "Date: Tue, 01 Oct 2024 00:00:00 UTC\nArchitectures: %s\nComponents: %s\n"
                "MD5Sum:\n 00000000000000000000000000000000 %d %s\nSHA256:\n"
                " %s %d %s\n %s %d %s\n" %
                (suite, suite.split("-")[0], self.arch, self.component, size, index_path,
                 sha, size, index_path, sha256(plain), len(plain),
                 index_path[:-len(".xz")]))
        return (text + self.release_extra.get(suite, "")).encode()

    def publish(self, srv, signer=None, faults=None):
        """Serve dists/ and pool/ from @srv; @faults: {path: fault} (btfhub_server's)."""
        faults = faults or {}
        files = {}
        for p in self.pkgs:
            files["/" + p.filename] = p.payload
        for suite in self.suites():
            index_path = "%s/binary-%s/Packages.xz" % (self.component, self.arch)
            index = lzma.compress(self.packages(suite), preset=1)
            rel = self.release(suite, index_path, index)
            d = "/dists/%s/" % suite
            files[d + index_path] = index
            files[d + "Release"] = rel
            if signer:
                if self.inrelease:
                    files[d + "InRelease"] = signer.clearsign(rel)
                files[d + "Release.gpg"] = signer.detach(rel)
        for path, data in files.items():
            srv.add(path, data, faults.get(path))
        return files
