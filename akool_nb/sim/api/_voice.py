"""What the voice families (tts, voices, translation's voice list) share: paging, the v4 TTS record."""
from __future__ import annotations

from ..state import TEAM_ID, UID
from ..validate import Ctx, query_int


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _failure(ctx: Ctx, job: dict, status: int) -> dict:
    from ..jobs import KINDS

    return {"error_code": KINDS[job["kind"]].error_code, "error_reason": job["error"]} if status == 4 else {}


# ---------------------------------------------------------------- VoiceLab v4
def _page(ctx: Ctx, items: list) -> dict:
    page, size = query_int(ctx.query, "page", 1), query_int(ctx.query, "size", 10)
    return {"result": items[(page - 1) * size: page * size], "count": len(items), "page": page, "size": size}


def _tts_v4(ctx: Ctx, job: dict) -> dict:
    p, status = job["params"], ctx.sim.status_of(job)
    voice = ctx.sim.catalog.voice(p["voice_id"])
    done = status == 3
    return {"_id": job["id"], "create_time": _ms(job["created"]), "update_time": _ms(job["created"]), "uid": UID,
            "team_id": TEAM_ID, "input_text": p["input_text"], "rate": "100%",
            "preview": ctx.sim.result_url(job) if done else None, "status": status, "webhookUrl": p["webhookUrl"],
            "duration": _ms(job["result"]["duration"]) if done else 0, "file_name": f"{job['id']}.mp3",
            "gender": voice["gender"] if voice else "", "deduction_credit": round(len(p["input_text"]) * 0.0044, 4),
            "name": job["id"], "priority": 2, "language_code": p["language_code"], "__v": 0,
            "voice_id": p["voice_id"], "simulated": True, **_failure(ctx, job, status)}
