import base64
import json
import os


def lambda_handler(event, context):
    raw = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8")
    request = json.loads(raw)
    host = request.get("host", "localhost")
    status = os.system(f"nslookup {host}")
    return {"statusCode": 200, "body": json.dumps({"host": host, "exitStatus": status})}
