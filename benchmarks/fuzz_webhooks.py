"""10,000 fuzzed webhook bodies through ``verify_and_decrypt``, against the signature-only check it replaced
(measured in the same run). Aim: every genuine body verifies; 0 forgeries, 0 shifted-digit forgeries, 0 replays
(outside the window without a guard, inside it with one), 0 exceptions other than WebhookError.
Run: python benchmarks/fuzz_webhooks.py [bodies] [seed]
"""
from __future__ import annotations

import base64
import hmac
import json
import os
import random
import sys
import time
from collections import Counter

from akool_nb._exceptions import WebhookError
from akool_nb.webhook import ReplayGuard, sign_and_encrypt, signature_for, verify_and_decrypt
from akool_nb.webhook._body import Fields, readings
from akool_nb.webhook._crypto import decrypt_text

CID, SECRET = "AKDt8rWEczpYPzCG", "nmwUjMAK0PJpl0MOiXLOOOwZ"
DAY = 86400.0


def signature_only(body) -> bool:
    """The check before issue 8: signature over the stringified values, then decryption. No time, no form."""
    try:
        if isinstance(body, (bytes, str)):
            body = json.loads(body)
        expected = signature_for(CID, body["timestamp"], body["nonce"], body["dataEncrypt"])
        if not hmac.compare_digest(expected.encode(), body["signature"].strip().lower().encode()):
            return False
        return isinstance(json.loads(decrypt_text(body["dataEncrypt"], CID, SECRET)), dict)
    except Exception:
        return False


class Run:
    def __init__(self, rng: random.Random) -> None:
        self.rng, self.counts, self.unexpected = rng, Counter(), Counter()

    def check(self, kind: str, payload, *, now: float, guard=None, legacy: bool = True) -> bool:
        self.counts[kind, "bodies"] += 1
        if legacy and signature_only(payload):
            self.counts[kind, "baseline accepted"] += 1
        try:
            verify_and_decrypt(payload, client_id=CID, client_secret=SECRET, now=now, replay_guard=guard)
        except WebhookError as exc:
            assert SECRET not in str(exc) and SECRET not in repr(exc)
            return False
        except Exception as exc:  # the figure that must stay 0
            self.unexpected[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
            return False
        self.counts[kind, "accepted"] += 1
        return True

    # -- bodies ---------------------------------------------------------------------------------------------
    def genuine(self, now: float, skew: float = 0.0) -> dict:
        r = self.rng
        data = {"_id": os.urandom(12).hex(), "status": r.choice([2, 3, 4]), "type": r.choice(["audio", "video"]),
                "url": r.choice(["", f"https://cdn.example/{r.random()}.mp4"]), "é": "✓" * r.randint(0, 50)}
        nonce = r.choice([str(r.randint(1000, 9999)), r.randint(1000, 9999), str(r.randint(0, 10**10 - 1))])
        return sign_and_encrypt(data, client_id=CID, client_secret=SECRET, timestamp=int((now + skew) * 1000),
                                nonce=nonce)

    def form(self, body: dict):
        return self.rng.choice([body, json.dumps(body), json.dumps(body).encode()])

    def forgery(self, now: float) -> dict:
        r, body = self.rng, self.genuine(now)
        kind = r.randrange(6)
        if kind == 0:  # random signature
            return dict(body, signature=os.urandom(20).hex())
        if kind == 1:  # the signature is computable from the client id alone: random ciphertext, correct signature
            ct = base64.b64encode(os.urandom(16 * r.randint(1, 8))).decode()
            return dict(body, dataEncrypt=ct, signature=signature_for(CID, body["timestamp"], body["nonce"], ct))
        if kind == 2:  # ciphertext bit-flipped, re-signed
            raw = bytearray(base64.b64decode(body["dataEncrypt"]))
            raw[r.randrange(len(raw))] ^= 1 << r.randrange(8)
            ct = base64.b64encode(bytes(raw)).decode()
            return dict(body, dataEncrypt=ct, signature=signature_for(CID, body["timestamp"], body["nonce"], ct))
        if kind == 3:  # encrypted with a guessed secret
            guess = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))
            return sign_and_encrypt({"_id": "forged", "status": 3}, client_id=CID, client_secret=guess)
        if kind == 4:  # timestamp moved, not re-signed
            return dict(body, timestamp=body["timestamp"] + r.randint(1, 10**6))
        return dict(body, nonce=str(r.randint(0, 9999)))  # nonce changed, not re-signed

    @staticmethod
    def shifts(body: dict) -> list[dict]:
        t, n = str(body["timestamp"]), str(body["nonce"])
        out = []
        for digits in {t + n, n + t}:
            for cut in range(1, len(digits)):
                for ts, nonce in ((digits[:cut], digits[cut:]), (digits[cut:], digits[:cut])):
                    same = signature_for(CID, ts, nonce, body["dataEncrypt"]) == body["signature"]
                    if (ts, nonce) != (t, n) and same:
                        out.append(dict(body, timestamp=int(ts), nonce=nonce))
        return out

    def junk(self, depth: int = 0):
        r = self.rng
        pick = r.randrange(16 if depth < 3 else 10)
        simple = [None, True, r.randint(-10**20, 10**20), 10 ** r.randint(4301, 5000), r.random() * 1e300,
                  float("nan"), "\ud800" * r.randint(1, 9), os.urandom(r.randint(0, 60)),
                  "".join(chr(r.randrange(0x110000)) for _ in range(r.randint(0, 30))), "[" * r.randint(1, 200_000)]
        if pick < 10:
            return simple[pick]
        if pick < 12:
            return [self.junk(depth + 1) for _ in range(r.randint(0, 4))]
        if pick < 14:  # a real body with one field replaced
            return dict(self.genuine(time.time()), **{r.choice(["signature", "dataEncrypt", "timestamp", "nonce"]):
                                                      self.junk(depth + 1)})
        if pick == 14:
            nested: object = []
            for _ in range(r.randint(1000, 60_000)):
                nested = [nested]
            return dict(self.genuine(time.time()), nonce=nested)
        text = json.dumps(self.genuine(time.time()))
        cut = r.randrange(len(text))
        return r.choice([text[:cut], text[:cut] + "\ud800" + text[cut:], text.encode()[:cut] + b"\xff",
                         text.replace("{", "{" + '"x":' * 1000, 1), text + " " * 70_000])


def main(total: int = 10_000, seed: int = 8) -> int:
    run, now = Run(random.Random(seed)), time.time()
    # Shares of the bodies; a replay case is three bodies (original, inside, outside), a long-range case two.
    shares = {"genuine": 0.29, "forged": 0.2, "shifted": 0.15, "replay": 0.225, "long": 0.01, "malformed": 0.125}
    started = time.perf_counter()
    for _ in range(int(total * shares["genuine"])):
        run.check("genuine", run.form(run.genuine(now, skew=run.rng.uniform(-299, 299))), now=now, legacy=False)
    for _ in range(int(total * shares["forged"])):
        run.check("forged", run.form(run.forgery(now)), now=now)
    shifted = 0
    while shifted < total * shares["shifted"]:
        body = run.genuine(now + run.rng.uniform(-3e7, 3e7))
        for forged in run.shifts(body)[:round(total * shares["shifted"]) - shifted]:
            shifted += 1
            run.check("shifted digits", forged, now=body["timestamp"] / 1000)
    guard = ReplayGuard()
    for i in range(round(total * shares["replay"] / 3)):
        body = run.genuine(now)
        assert run.check("replay: original (with guard)", body, now=now, guard=guard, legacy=False)
        run.check("replay inside the window (with guard)", run.form(body), now=now + run.rng.uniform(1, 299),
                  guard=guard)
        late = run.rng.choice([301, 360, DAY, 365 * DAY]) + run.rng.uniform(0, 60)
        run.check("replay outside the window (no guard)", run.form(body), now=now + late)
    # Bodies whose digits also read as a later fresh body (0.3% within a year): replayed at that moment.
    long_range = ReplayGuard()
    found = 0
    while found < round(total * shares["long"] / 2):
        body = run.genuine(now - run.rng.uniform(0, 30 * DAY))
        fields = Fields(body["signature"], body["dataEncrypt"], body["timestamp"], str(body["timestamp"]),
                        str(body["nonce"]))
        later = [(ts, n) for ts, n in readings(CID, fields) if body["timestamp"] < ts <= (now + 365 * DAY) * 1000]
        if not later:
            continue
        found += 1
        verify_and_decrypt(body, client_id=CID, client_secret=SECRET, now=body["timestamp"] / 1000,
                           replay_guard=long_range)
        forged = dict(body, timestamp=later[0][0], nonce=later[0][1])
        run.check("long-range re-reading (no guard)", forged, now=later[0][0] / 1000)
        run.check("long-range re-reading (with guard)", forged, now=later[0][0] / 1000, guard=long_range,
                  legacy=False)
    for _ in range(int(total * shares["malformed"])):
        run.check("malformed", run.junk(), now=now, legacy=False)
    elapsed = time.perf_counter() - started

    kinds = list(dict.fromkeys(kind for kind, _ in run.counts))
    bodies = sum(run.counts[k, "bodies"] for k in kinds)
    print(f"{bodies:,} webhook bodies in {elapsed:.1f} s (seed {seed}); accepted by verify_and_decrypt, "
          f"and by the signature-only check it replaced (same bodies)")
    print(f"{'kind':42} {'bodies':>7} {'accepted':>9} {'baseline':>9}")
    for k in kinds:
        base = run.counts[k, "baseline accepted"] if (k, "baseline accepted") in run.counts or k not in (
            "genuine", "malformed", "replay: original (with guard)", "long-range re-reading (with guard)") else "—"
        print(f"{k:42} {run.counts[k, 'bodies']:>7,} {run.counts[k, 'accepted']:>9,} {base:>9}")
    errors = sum(run.unexpected.values())
    print(f"{'exceptions other than WebhookError':42} {'':>7} {errors:>9,}")
    for what, n in run.unexpected.most_common(5):
        print(f"    {n} x {what}")
    ok = (run.counts["genuine", "accepted"] == run.counts["genuine", "bodies"] and errors == 0
          and all(run.counts[k, "accepted"] == 0 for k in kinds if k not in (
              "genuine", "replay: original (with guard)", "long-range re-reading (no guard)")))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:3])))
