import base64
import json
import pickle


def _total(items):
    return round(sum(item["price"] * item["quantity"] for item in items), 2)


def restore(event, context):
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8")
    payload = json.loads(raw)

    blob = base64.b64decode(payload["snapshot"])
    cart = pickle.loads(blob)

    items = cart.get("items", [])
    return {
        "statusCode": 200,
        "body": json.dumps({"items": items, "total": _total(items)}),
    }
