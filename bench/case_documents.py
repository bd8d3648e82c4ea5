"""Case documents (issue 15): uploads of 100 MB of evidence through the gateway, streamed, with the cases service's
memory watched; and the verification of a 1,000-document case.

What and how: the cases service and the gateway run as processes (``enforcement-run``, a RabbitMQ vhost of their own;
cases on a fresh PostgreSQL database, or SQLite with ``--sqlite``; the gateway on SQLite), the cases service's files
in a temporary storage directory. One case is written straight into the cases database (the catalogue rows
bench/cases_stats.py makes, and one of its cases). Through ``POST /api/v1/cases/{case_id}/documents`` come two 50 MB
videos (kind ``evidence_video``, MP4 header then random bytes, streamed from disk with a Content-Length), one after
the other; a thread reads the cases service's RSS (and the gateway's) from /proc every 0.1 s. One video is then
downloaded (``.../file``) and hashed as it arrives. Then 1,000 small documents (4 KB each) are added to a second case
with the service's own functions (the store's ``put_bytes``, a document row and ``records.chain.append_entry`` each)
and ``records.chain.verify_case`` is timed over them in this process (best of 3), and the same verification through
``GET /api/v1/cases/{case_id}/records/verification``.

Bar: the cases service's RSS stays at most 300 MB while the 100 MB go through (streamed, not buffered whole), both
uploads answer 201 with the right SHA-256, the download matches; verifying the 1,000-document case takes under 2 s.
Exit 1 when a bar is missed.

    .venv/bin/python bench/case_documents.py [--sqlite] [--mb 50] [--videos 2] [--documents 1000]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases_stats import case_rows, item_rows  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from training_import import free_port, postgres_database, rss_mb, sqlite_database, start_process, wait_ready  # noqa: E402

from cases_service import models as m  # noqa: E402
from cases_service.records import chain  # noqa: E402
from cases_service.records.storage import ContentStore  # noqa: E402
from enforcement_kernel.db import Tx, make_engine  # noqa: E402

BIN = Path(sys.executable).parent
MB = 1024 * 1024
RSS_BAR_MB = 300
VERIFY_BAR_S = 2.0
PASSWORD = "Wuzhai-documents-bench-2026"


class RssWatch(threading.Thread):
    """The largest RSS of each watched process since ``reset``, sampled every 0.1 s."""

    def __init__(self, pids: dict[str, int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.stopped = threading.Event()
        self.reset()

    def reset(self):
        self.peak = {name: rss_mb(pid) for name, pid in self.pids.items()}

    def run(self):
        while not self.stopped.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_mb(pid))
            self.stopped.wait(0.1)


def request(port: int, method: str, path: str, body=None, token=None, headers=None, timeout=300):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    if isinstance(body, dict):
        body, sent["Content-Type"] = json.dumps(body), "application/json"
    conn.request(method, path, body=body, headers=sent)
    return conn.getresponse()


def answer(response) -> tuple[int, object]:
    return response.status, json.loads(response.read() or b"null")


def video_file(path: Path, size: int) -> str:
    """An MP4-looking file (an ``ftyp`` box, then random bytes) of ``size`` bytes; its SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as f:
        head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
        f.write(head)
        digest.update(head)
        left = size - len(head)
        while left > 0:
            block = os.urandom(min(MB, left))
            f.write(block)
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def insert_cases(url: str, count: int) -> list[str]:
    """The catalogue of bench/cases_stats.py and ``count`` of its cases; their ids."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    items, versions = item_rows(now)
    cases = list(case_rows(1, count, now))
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session:
        session.execute(insert(m.Item), items)
        session.execute(insert(m.ItemVersion), versions)
        session.execute(insert(m.Case), cases)
        session.commit()
    engine.dispose()
    return [c["case_id"] for c in cases]


def add_documents(url: str, store: ContentStore, case_id: str, count: int) -> float:
    """``count`` 4 KB PDFs on one case, each stored, recorded and chained as an upload would; seconds taken."""
    engine = make_engine(url, pool_size=1)
    started = time.perf_counter()
    with Session(engine) as session:
        tx = Tx(session, "cases")
        for n in range(count):
            content = b"%PDF-1.7\n" + hashlib.sha256(f"{case_id}-{n}".encode()).digest() * 128
            sha, size = store.put_bytes(content)
            document_id = uuid.uuid4().hex
            session.add(
                m.CaseDocument(
                    document_id=document_id,
                    case_id=case_id,
                    kind="evidence_scan",
                    stage="filed",
                    media_type="application/pdf",
                    size_bytes=size,
                    sha256=sha,
                    catalogue_version=1,
                    uploaded_by="bench",
                )
            )
            chain.append_entry(tx, case_id, "document", document_id, sha, "bench")
        session.commit()
    engine.dispose()
    return time.perf_counter() - started


def verify_in_process(url: str, store: ContentStore, case_id: str, runs: int = 3) -> tuple[float, dict]:
    engine = make_engine(url, pool_size=1)
    best, report = float("inf"), None
    for _ in range(runs):
        with Session(engine) as session:
            started = time.perf_counter()
            report = chain.verify_case(session, case_id, store)
            best = min(best, time.perf_counter() - started)
    engine.dispose()
    return best, report.as_dict()


def login(web: int) -> str:
    _, first = answer(request(web, "POST", "/api/v1/auth/login", {"username": "admin", "password": "change-me-now"}))
    token = first["token"]
    if first.get("must_change_password"):
        change = {"current_password": "change-me-now", "new_password": PASSWORD}
        assert answer(request(web, "POST", "/api/v1/auth/password", change, token))[0] == 200
        token = answer(request(web, "POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD}))[1][
            "token"
        ]
    return token


@contextmanager
def vhost():
    name = f"enf-bench-docs-{os.getpid()}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"], check=True)
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True)


def uploads(web: int, token: str, case_id: str, files: list[tuple[Path, str]], watch: RssWatch) -> tuple[bool, list]:
    ok, done = True, []
    print(f"{'upload':<12}{'MB':>6}{'status':>8}{'seconds':>9}{'MB/s':>7}{'cases RSS MB':>14}{'gateway RSS MB':>16}")
    for path, sha in files:
        size = path.stat().st_size
        watch.reset()
        started = time.perf_counter()
        with path.open("rb") as body:
            response = request(
                web,
                "POST",
                f"/api/v1/cases/{case_id}/documents?kind=evidence_video&stage=filed&title={path.name}",
                body,
                token,
                {"Content-Type": "video/mp4", "Content-Length": str(size)},
            )
            status, doc = answer(response)
        seconds = time.perf_counter() - started
        right = status == 201 and doc.get("sha256") == sha
        ok = ok and right
        done.append(doc)
        print(
            f"{path.name:<12}{size / MB:>6.0f}{status:>8}{seconds:>9.1f}{size / MB / seconds:>7.1f}"
            f"{watch.peak['cases']:>14.0f}{watch.peak['gateway']:>16.0f}  {'sha256 ok' if right else doc}"
        )
    return ok, done


def download(web: int, token: str, case_id: str, doc: dict, watch: RssWatch) -> bool:
    watch.reset()
    started = time.perf_counter()
    response = request(web, "GET", f"/api/v1/cases/{case_id}/documents/{doc['document_id']}/file", token=token)
    digest, size = hashlib.sha256(), 0
    while block := response.read(MB):
        digest.update(block)
        size += len(block)
    seconds = time.perf_counter() - started
    right = response.status == 200 and digest.hexdigest() == doc["sha256"] and size == doc["size_bytes"]
    print(
        f"{'download':<12}{size / MB:>6.0f}{response.status:>8}{seconds:>9.1f}{size / MB / seconds:>7.1f}"
        f"{watch.peak['cases']:>14.0f}{watch.peak['gateway']:>16.0f}  {'sha256 ok' if right else 'MISMATCH'}"
    )
    return right


def run(args, database) -> bool:
    # Over 50 lines: processes, data, the uploads watched, then the verification; one measurement in order.
    ok = True
    with tempfile.TemporaryDirectory() as tmp, database() as url, vhost() as amqp:
        workdir = Path(tmp)
        store_dir = workdir / "store"
        base = dict(os.environ, AMQP_URI=amqp, LOG_LEVEL="WARNING", CASES_STORAGE_DIR=str(store_dir))
        web, cases_ops, gateway_ops = free_port(), free_port(), free_port()
        cases_env = dict(base, DATABASE_URL=url, OPS_PORT=str(cases_ops), RPC_TIMEOUT="30")
        gateway_env = dict(base, DATABASE_URL=f"sqlite:///{workdir / 'gateway.db'}", OPS_PORT=str(gateway_ops))
        for env, name in ((cases_env, "cases"), (gateway_env, "gateway")):
            for cmd in ("enforcement-migrate", "enforcement-seed"):
                subprocess.run([BIN / cmd, name], env=env, check=True, capture_output=True)
        upload_case, verify_case_id = insert_cases(url, 2)
        files = [(workdir / f"video{i + 1}.mp4", 0) for i in range(args.videos)]
        files = [(path, video_file(path, args.mb * MB)) for path, _ in files]
        procs = {
            "cases": start_process("cases", workdir, cases_env),
            "gateway": start_process("gateway", workdir, dict(gateway_env, WEB_SERVER_ADDRESS=f"127.0.0.1:{web}")),
        }
        try:
            wait_ready(cases_ops)
            wait_ready(gateway_ops)
            token = login(web)
            watch = RssWatch({name: proc.pid for name, proc in procs.items()})
            print(
                f"cases on {url.split(':', 1)[0]}; load average {os.getloadavg()[0]:.1f}; RSS at rest: cases "
                f"{watch.peak['cases']:.0f} MB, gateway {watch.peak['gateway']:.0f} MB; bar: cases RSS <= "
                f"{RSS_BAR_MB} MB"
            )
            watch.start()
            uploaded, docs = uploads(web, token, upload_case, files, watch)
            total = sum(path.stat().st_size for path, _ in files) / MB
            peak_up = watch.peak["cases"]
            downloaded = download(web, token, upload_case, docs[0], watch) if uploaded else False
            peak = max(peak_up, watch.peak["cases"])
            watch.stopped.set()
            rss_ok = peak <= RSS_BAR_MB
            print(f"{total:.0f} MB uploaded: cases RSS at most {peak:.0f} MB: {'PASS' if rss_ok else 'FAIL'}")
            ok = ok and uploaded and downloaded and rss_ok

            store = ContentStore(store_dir)
            filled = add_documents(url, store, verify_case_id, args.documents)
            best, report = verify_in_process(url, store, verify_case_id)
            started = time.perf_counter()
            status, over_http = answer(
                request(web, "GET", f"/api/v1/cases/{verify_case_id}/records/verification", token=token)
            )
            http_seconds = time.perf_counter() - started
            verified = report["ok"] and report["files_checked"] == args.documents and best < VERIFY_BAR_S
            print(
                f"{args.documents} documents added in {filled:.1f} s; verify_case in process {best:.3f} s (best of 3), "
                f"{report['entries']} entries, {report['files_checked']} files, ok={report['ok']}; over HTTP "
                f"{http_seconds:.3f} s (status {status}, ok={over_http.get('ok') if status == 200 else over_http}): "
                f"{'PASS' if verified else 'FAIL'} (bar {VERIFY_BAR_S} s)"
            )
            ok = ok and verified
        finally:
            for proc in procs.values():
                proc.terminate()
            for proc in procs.values():
                proc.wait(timeout=40)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="the cases service on SQLite (default: PostgreSQL)")
    parser.add_argument("--mb", type=int, default=50, help="size of each video")
    parser.add_argument("--videos", type=int, default=2)
    parser.add_argument("--documents", type=int, default=1000, help="documents of the case verified")
    args = parser.parse_args()
    sys.exit(0 if run(args, sqlite_database if args.sqlite else postgres_database) else 1)


if __name__ == "__main__":
    main()
