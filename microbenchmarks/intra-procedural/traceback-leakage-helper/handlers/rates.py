import json

from handlers.responses import bad_request, ok, server_error

ZONES = {"domestic": 7.5, "regional": 12.0, "international": 29.0}
PER_KG = {"domestic": 1.2, "regional": 2.4, "international": 6.8}


def price(zone, weight_kg):
    return round(ZONES[zone] + PER_KG[zone] * weight_kg, 2)


def handler(event, context):
    try:
        body = json.loads(event.get("body") or "{}")
        if "zone" not in body:
            return bad_request("zone is required")
        weight = float(body.get("weightKg", 1))
        return ok({"zone": body["zone"], "price": price(body["zone"], weight)})
    except Exception:
        return server_error()
