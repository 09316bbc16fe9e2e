"""Webhook delivery (catalog §E): POST ``{signature, dataEncrypt, timestamp, nonce}`` to a job's ``webhookUrl``.

The decrypted data is ``{_id, status, type, url}``; it is sent when the job reaches status 2 and again at 3
or 4, in that order (the next one waits until the previous delivery finished). A delivery is retried while
the receiver does not answer HTTP 200: at most ``ATTEMPTS`` tries, backing off 0.2 s (fast) or 1 s, doubling.
Each finished delivery is logged (``stats()["webhooks"]``) and the job's last notified status persisted,
so a restarted service neither repeats nor forgets notifications.
"""
from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("akool_nb.sim")
ATTEMPTS = 6


class Webhooks:
    def __init__(self, sim):
        self.sim = sim
        self._lock = threading.Lock()
        self._watched: set[str] = set()
        self._inflight: set[str] = set()
        self._log: list[dict] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._http = None  # one connection pool for every delivery (a client per POST cost ms of CPU each)

    def start(self) -> None:
        with self._lock:
            self._watched.update(job["id"] for job in self.sim.store.webhook_jobs())
        self._thread = threading.Thread(target=self._tick_loop, name="akool-sim-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._http is not None:
            self._http.close()

    def watch(self, job_id: str) -> None:
        with self._lock:
            self._watched.add(job_id)

    def clear_log(self) -> None:
        with self._lock:
            self._log = []

    def log(self) -> list[dict]:
        with self._lock:
            return [dict(entry) for entry in self._log]

    def _client(self):
        import httpx

        with self._lock:
            if self._http is None:
                limits = httpx.Limits(max_connections=None, max_keepalive_connections=32)
                self._http = httpx.Client(timeout=5.0 if self.sim.fast else 15.0, limits=limits)
            return self._http

    # ------------------------------------------------------------------
    def _tick_loop(self) -> None:
        interval = 0.03 if self.sim.fast else 0.1
        while not self._stop.wait(interval):
            with self._lock:
                candidates = list(self._watched - self._inflight)
            for job_id in candidates:
                try:
                    self._tick(job_id)
                except Exception:  # store closed while stopping
                    log.debug("offline Akool: webhook tick failed", exc_info=True)

    def _tick(self, job_id: str) -> None:
        from .jobs import KINDS

        job = self.sim.store.get_job(job_id)
        if job is None or job["notified"] >= 3:
            with self._lock:
                self._watched.discard(job_id)
            return
        status = self.sim.status_of(job)
        send = 2 if (job["notified"] < 2 and status >= 2) else (status if status >= 3 else None)
        if send == 2 and not KINDS[job["kind"]].webhook_processing:
            # Products documented to call only on completion or failure (character swap) skip status 2.
            self.sim.store.update_job(job_id, notified=2)
            return
        if send is None:
            return
        with self._lock:
            self._inflight.add(job_id)
        threading.Thread(target=self._deliver, args=(job, send), name="akool-sim-webhook", daemon=True).start()

    def _deliver(self, job: dict, status: int) -> None:
        import httpx

        from akool_nb.webhook import sign_and_encrypt

        from .jobs import KINDS, public_url

        try:
            data = {"_id": job["id"], "status": status, "type": KINDS[job["kind"]].webhook_type,
                    "url": public_url(self.sim, job) if status == 3 else ""}
            if self.sim.webhook_key_problem:  # said once at start-up; logged per job, never sent
                with self._lock:
                    self._log.append({"job_id": job["id"], "url": job["webhook_url"], "status": status,
                                      "type": data["type"], "status_code": None, "attempts": 0, "delivered": False,
                                      "error": self.sim.webhook_key_problem, "time": time.time()})
                self.sim.store.update_job(job["id"], notified=status)
                return
            entry = {"job_id": job["id"], "url": job["webhook_url"], "status": status, "type": data["type"],
                     "status_code": None, "attempts": 0, "delivered": False, "error": ""}
            if self.sim.faults.take("drop_webhooks", job.get("path") or ""):  # lost on the way (a fault knob)
                entry.update(error="dropped (fault drop_webhooks)", time=time.time())
                with self._lock:
                    self._log.append(entry)
                self.sim.store.update_job(job["id"], notified=status)
                return
            body = sign_and_encrypt(data, client_id=self.sim.client_id, client_secret=self.sim.client_secret)
            delay = 0.2 if self.sim.fast else 1.0
            for attempt in range(1, ATTEMPTS + 1):
                entry["attempts"] = attempt
                try:
                    r = self._client().post(job["webhook_url"], json=body)
                    entry["status_code"], entry["error"] = r.status_code, ""
                    if r.status_code == 200:
                        entry["delivered"] = True
                        break
                except httpx.HTTPError as exc:
                    entry["error"] = type(exc).__name__
                if attempt < ATTEMPTS and self._stop.wait(delay):
                    return  # stopping: the notification is re-sent after a restart
                delay *= 2
            entry["time"] = time.time()
            with self._lock:
                self._log.append(entry)
            self.sim.store.update_job(job["id"], notified=status)
        except Exception:
            log.debug("offline Akool: webhook delivery for %s interrupted", job["id"], exc_info=True)
        finally:
            with self._lock:
                self._inflight.discard(job["id"])
