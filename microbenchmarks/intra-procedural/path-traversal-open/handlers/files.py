import json
import os

UPLOAD_DIR = "/tmp/uploads"


def read_file(event, context):
    path = os.path.join(UPLOAD_DIR, event["pathParameters"]["name"])
    if not os.path.isfile(path):
        return {"statusCode": 404, "body": json.dumps({"error": "not found"})}

    with open(path, "r", encoding="utf-8", errors="replace") as fh:
        content = fh.read()

    return {
        "statusCode": 200,
        "headers": {"Content-Type": "text/plain; charset=utf-8"},
        "body": content,
    }
