import json
import os

UPLOAD_DIR = "/tmp/uploads"


def delete_file(event, context):
    params = event.get("queryStringParameters") or {}
    name = params.get("name")
    if not name:
        return {"statusCode": 400, "body": json.dumps({"error": "name is required"})}

    target = UPLOAD_DIR + "/" + name
    try:
        os.remove(target)
    except FileNotFoundError:
        return {"statusCode": 404, "body": json.dumps({"error": "not found"})}

    return {"statusCode": 204, "body": ""}
