import json

PREFIXES = ["dal", "dumplings", "shakshuka", "soup", "stew"]


def handler(event, context):
    prefix = ((event.get("queryStringParameters") or {}).get("p") or "").lower()
    return {"statusCode": 200, "body": json.dumps([w for w in PREFIXES if w.startswith(prefix)][:5])}
