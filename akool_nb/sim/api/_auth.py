"""``POST /api/open/v3/getToken`` (catalog §B.1): the one route that needs no auth."""
from __future__ import annotations

from ..validate import ApiError, Ctx, Raw


def get_token(ctx: Ctx) -> Raw:
    # The getToken page lists only 1000, 1101, 1102 and 1200: missing credentials are 1102 (not 1003).
    body = ctx.body if isinstance(ctx.body, dict) else {}
    client_id, client_secret = body.get("clientId"), body.get("clientSecret")
    for field, value in (("clientId", client_id), ("clientSecret", client_secret)):
        if not isinstance(value, str) or not value.strip():
            raise ApiError(1102, f"Authorization cannot be empty: {field} is required (a string; clientSecret "
                                 "is your API key)")
    return Raw(code=1000, msg="OK", token=ctx.sim.issue_token(client_id, client_secret))


ROUTES = [
    ("POST", "/api/open/v3/getToken", get_token, False),
]
