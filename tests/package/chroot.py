"""A throwaway Debian 12 root (mmdebstrap) to install the kiosk package into, and the
helpers that derive further versions of a built package for the upgrade tests."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "package-test"
MIRROR = os.environ.get("KIOSK_DEBIAN_MIRROR", "http://deb.debian.org/debian")
# what a kiosk machine has besides the package's own dependencies
EXTRA = ["ca-certificates"]


def run(cmd, *, check=True, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("text", True)
    r = subprocess.run(cmd, capture_output=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} -> {r.returncode}\n"
                             f"{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


def deb_field(deb: Path, name: str) -> str:
    return run(["dpkg-deb", "-f", str(deb), name]).stdout.strip()


def depends_names(deb: Path) -> list[str]:
    names = []
    for alt in deb_field(deb, "Depends").split(","):
        first = alt.split("|")[0].strip()
        name = re.split(r"[\s(]", first)[0]
        if name:
            names.append(name)
    return sorted(set(names))


def base_tarball(deb: Path) -> Path:
    """mmdebstrap bookworm with the package's dependencies, cached by that list."""
    include = sorted(set(depends_names(deb) + EXTRA))
    tag = hashlib.sha256(" ".join(include + [MIRROR]).encode()).hexdigest()[:12]
    tar = CACHE / f"bookworm-{tag}.tar"
    if tar.exists():
        return tar
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = tar.with_name(tar.name + ".part")
    run(["mmdebstrap", "--variant=apt", "--mode=root", "--format=tar", "--skip=cleanup/apt/lists",
         f"--include={','.join(include)}", "bookworm", str(tmp), MIRROR], timeout=900)
    tmp.rename(tar)
    return tar


class Chroot:
    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def unpack(cls, tar: Path, dest: Path) -> "Chroot":
        dest.mkdir(parents=True)
        run(["tar", "-xf", str(tar), "-C", str(dest)])
        # the dependencies are in the base already: apt sees only the kiosk repository,
        # so the tests need no network once the base is cached
        for f in (dest / "etc/apt/sources.list", *(dest / "etc/apt/sources.list.d").glob("*")):
            f.unlink(missing_ok=True)
        return cls(dest)

    def sh(self, script: str, *, check=True, timeout=900) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive",
               "LC_ALL": "C.UTF-8", "HOME": "/root"}
        return run(["chroot", str(self.path), "/bin/sh", "-ec", script], check=check,
                   env=env, timeout=timeout)

    def p(self, path: str) -> Path:
        return self.path / path.lstrip("/")

    def add_repo(self, repo: Path, suite: str) -> None:
        """The signed repository at /srv/repo, as a kiosk has the city's."""
        dest = self.p("/srv/repo")
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(repo, dest, ignore=shutil.ignore_patterns("conf", "db"))
        shutil.copy(repo / "kiosk-archive-keyring.gpg",
                    self.p("/usr/share/keyrings/kiosk-archive-keyring.gpg"))
        self.p("/etc/apt/sources.list.d/kiosk.sources").write_text(
            f"Types: deb\nURIs: file:/srv/repo\nSuites: {suite}\nComponents: main\n"
            "Signed-By: /usr/share/keyrings/kiosk-archive-keyring.gpg\n")

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def derive(deb: Path, out_dir: Path, version: str, *, edit=None) -> Path:
    """A copy of a built package as another version, the way a release would differ:
    the package version, the Python distribution's version (what ``kiosk --version``
    reads) and the manifest's; ``edit(tree)`` changes files further (a broken build)."""
    tree = out_dir / f"tree-{version}"
    if tree.exists():
        shutil.rmtree(tree)
    run(["dpkg-deb", "-R", str(deb), str(tree)])
    control = tree / "DEBIAN" / "control"
    old = deb_field(deb, "Version")
    control.write_text(re.sub(r"^Version: .*$", f"Version: {version}", control.read_text(),
                              flags=re.M))
    site = next((tree / "usr/lib/kiosk/lib").glob("python3*/site-packages"))
    meta = next(site.glob("dossier_kiosk-*.dist-info")) / "METADATA"
    meta.write_text(re.sub(r"^Version: .*$", f"Version: {version}", meta.read_text(),
                           flags=re.M))
    manifest = tree / "usr/lib/kiosk/migrations.json"
    manifest.write_text(manifest.read_text().replace(f'"version": "{old}"',
                                                     f'"version": "{version}"'))
    if edit:
        edit(tree)
    arch = deb_field(deb, "Architecture")
    out = out_dir / f"kiosk_{version}_{arch}.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", str(tree), str(out)])
    shutil.rmtree(tree)
    return out


def make_repo(repo: Path, debs: list[Path], suite: str | None = None) -> None:
    cmd = [str(ROOT / "debian" / "make-repo"), str(repo)]
    if suite:
        cmd += ["--suite", suite]
    run(cmd + [str(d) for d in debs])


def tar_names(deb: Path) -> list[str]:
    data = run(["dpkg-deb", "--fsys-tarfile", str(deb)], text=False).stdout
    import io
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        return t.getnames()
