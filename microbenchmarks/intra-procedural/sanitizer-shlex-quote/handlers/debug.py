import json
import os
import shlex

WORKSPACE = "/tmp/workspace"


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    name = params.get("dir", ".")

    os.makedirs(WORKSPACE, exist_ok=True)
    os.chdir(WORKSPACE)
    status = os.system("ls " + shlex.quote(name))

    return {
        "statusCode": 200 if status == 0 else 404,
        "body": json.dumps({"dir": name, "exitStatus": status}),
    }
