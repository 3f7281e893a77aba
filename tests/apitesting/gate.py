"""MediaWiki 1.39's own API tests (``tests/api-testing``) as a gate.

Nothing of MediaWiki is vendored: :func:`fetch_tests` runs ``fetch.sh``, which takes the
files from Debian's source package of the reference version at test time and keeps them
in a cache directory outside the repository. They run with the ``api-testing`` npm package
(tests/node) under mocha, as MediaWiki runs them (``mocha --recursive tests/api-testing``,
all files in one process: the fixtures ``root``/``alice``/``mindy`` are shared).

``out_of_scope.txt`` lists the files and tests that need what wikigate does not claim,
each with its reason; every other test must pass.

Also a command line, to run the suite against any wiki (the reference, a wikigate)::

    python -m tests.apitesting.gate --url http://127.0.0.1:8081/ --user Admin \\
        --password 'AdminPassw0rd!2026' --secret-key "$SECRET" [--all]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE.parent / "node"
OUT_OF_SCOPE = HERE / "out_of_scope.txt"
#: The Action API tests; REST/ (rest.php) is a different API, out of scope as a whole.
SUITE_DIR = "action"


#: mocha's title of a failed hook: '<describe titles> "before all" hook for "<test>"'.
_HOOK = re.compile(r' "(before|after) (all|each)" hook')


class Unavailable(Exception):
    """A tool the gate needs (apt-get, node, the npm packages) is missing."""


@dataclass(frozen=True)
class Exclusion:
    file: str  # relative to tests/api-testing, e.g. "action/Parse.js"
    title: str  # "" = the whole file; else a full test title or a describe-title prefix
    reason: str

    def covers(self, file: str, full_title: str) -> bool:
        if file != self.file:
            return False
        return not self.title or full_title == self.title or full_title.startswith(self.title + " ")


@dataclass
class Outcome:
    passed: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # file, title, message
    out_of_scope: list[tuple[str, str]] = field(default_factory=list)
    out_of_scope_passed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # it.skip() in MediaWiki's own files
    total: int = 0
    output: str = ""

    def summary(self) -> str:
        return (f"{len(self.passed)} passed, {len(self.failed)} failed, {len(self.out_of_scope)} out of scope "
                f"({len(self.out_of_scope_passed)} of them pass anyway), {len(self.skipped)} skipped by MediaWiki, "
                f"{self.total} total")


def load_exclusions(path: Path = OUT_OF_SCOPE) -> list[Exclusion]:
    """``FILE[ :: TITLE] | REASON`` per line; ``#`` comments and blank lines ignored."""
    result = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        selector, sep, reason = line.partition(" | ")
        if not sep or not reason.strip():
            raise ValueError(f"{path}:{n}: every entry needs ' | reason'")
        file, _, title = selector.partition(" :: ")
        result.append(Exclusion(file.strip(), title.strip(), reason.strip()))
    return result


def fetch_tests(cache: Path | None = None) -> Path:
    """The extracted ``tests/api-testing`` directory (fetched once into the cache)."""
    if shutil.which("apt-get") is None:
        raise Unavailable("apt-get is not installed (fetch.sh takes MediaWiki's tests from Debian's source package)")
    cmd = [str(HERE / "fetch.sh")] + ([str(cache)] if cache else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"fetch.sh failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return Path(proc.stdout.strip().splitlines()[-1])


def _mocha() -> list[str]:
    node = shutil.which("node")
    if node is None:
        raise Unavailable("node is not installed")
    mocha = NODE_DIR / "node_modules" / "mocha" / "bin" / "mocha.js"
    if not mocha.exists() or not (NODE_DIR / "node_modules" / "api-testing").is_dir():
        raise Unavailable("tests/node/node_modules missing: run `npm ci` in tests/node")
    return [node, str(mocha)]


def _run(tests_dir: Path, files: list[str], config: dict[str, object], *, dry_run: bool,
         timeout: float) -> tuple[dict[str, object], str]:
    with tempfile.TemporaryDirectory(prefix="apitesting-") as tmp:
        cfg = Path(tmp) / "api-testing.config.json"
        cfg.write_text(json.dumps(config))
        report = Path(tmp) / "report.json"
        env = {**os.environ, "API_TESTING_CONFIG_FILE": str(cfg), "NODE_PATH": str(NODE_DIR / "node_modules"),
               "NO_COLOR": "1", "FORCE_COLOR": "0"}
        cmd = [*_mocha(), "--timeout", "60000", "--reporter", "json", "--reporter-option", f"output={report}"]
        if dry_run:
            cmd.append("--dry-run")
        cmd += files
        proc = subprocess.run(cmd, cwd=tests_dir, env=env, capture_output=True, text=True, timeout=timeout)
        output = proc.stdout + proc.stderr
        if not report.exists():
            raise RuntimeError(f"mocha wrote no report (exit {proc.returncode}):\n{output}")
        data: dict[str, object] = json.loads(report.read_text(encoding="utf-8"))
        return data, output


def _rel(tests_dir: Path, file: str) -> str:
    return Path(file).resolve().relative_to(tests_dir.resolve()).as_posix()


def run_suite(tests_dir: Path, *, base_uri: str, root_name: str, root_password: str, secret_key: str,
              exclusions: list[Exclusion], run_all: bool = False, timeout: float = 900) -> Outcome:
    """Run the action/ files (all of them with ``run_all``; else those not excluded as a
    whole) and classify every test of the suite."""
    whole = {e.file for e in exclusions if not e.title}
    files = sorted(p.relative_to(tests_dir).as_posix() for p in (tests_dir / SUITE_DIR).glob("*.js"))
    run_files = files if run_all else [f for f in files if f not in whole]
    config = {"base_uri": base_uri.rstrip("/") + "/", "main_page": "Main Page",
              "root_user": {"name": root_name, "password": root_password}, "secret_key": secret_key}

    listing, _ = _run(tests_dir, files, config, dry_run=True, timeout=120)
    report, output = _run(tests_dir, run_files, config, dry_run=False, timeout=timeout)

    def key(t: dict[str, object]) -> tuple[str, str]:
        return _rel(tests_dir, str(t.get("file", ""))), str(t["fullTitle"])

    def excluded(file: str, title: str) -> bool:
        return any(e.covers(file, title) for e in exclusions)

    passes = {key(t) for t in report["passes"]}  # type: ignore[attr-defined]
    pending = {key(t) for t in listing["pending"]}  # type: ignore[attr-defined]
    failures: dict[tuple[str, str], str] = {}
    hook_failures: list[tuple[str, str, str]] = []
    for t in report["failures"]:  # type: ignore[attr-defined]
        err = t.get("err", {})
        msg = str(err.get("message", "")) if isinstance(err, dict) else str(err)
        k = key(t)
        if _HOOK.search(k[1]):
            hook_failures.append((k[0], k[1], msg))
        else:
            failures[k] = msg

    out = Outcome(output=output)
    for t in listing["tests"]:  # type: ignore[attr-defined]
        file, title = key(t)
        out.total += 1
        if (file, title) in pending:
            out.skipped.append((file, title))
        elif excluded(file, title):
            out.out_of_scope.append((file, title))
            if (file, title) in passes:
                out.out_of_scope_passed.append((file, title))
        elif (file, title) in passes:
            out.passed.append((file, title))
        else:
            out.failed.append((file, title, failures.get((file, title), "not run (a hook failed)")))
    for file, title, msg in hook_failures:
        m = _HOOK.search(title)
        hook_scope = title[:m.start()] if m else ""
        if file in whole or (hook_scope and excluded(file, hook_scope)):
            continue
        out.failed.append((file, title, msg))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="base URI of the wiki (api.php and index.php under it)")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--secret-key", required=True, help="$wgSecretKey (Special:RunJobs signatures)")
    p.add_argument("--all", action="store_true", help="run the out-of-scope files too")
    p.add_argument("--cache", type=Path, default=None)
    p.add_argument("-v", "--verbose", action="store_true", help="list every test with its outcome")
    a = p.parse_args(argv)
    tests_dir = fetch_tests(a.cache)
    out = run_suite(tests_dir, base_uri=a.url, root_name=a.user, root_password=a.password, secret_key=a.secret_key,
                    exclusions=load_exclusions(), run_all=a.all)
    if a.verbose:
        for f, t in out.passed:
            print(f"PASS  {f} :: {t}")
        for f, t in out.out_of_scope:
            print(f"{'OOS+' if (f, t) in out.out_of_scope_passed else 'OOS '}  {f} :: {t}")
    for f, t, m in out.failed:
        print(f"FAIL  {f} :: {t}\n      {m.splitlines()[0] if m else ''}")
    print(out.summary())
    return 1 if out.failed else 0


if __name__ == "__main__":
    sys.exit(main())
