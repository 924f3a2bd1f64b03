import base64
import json
import os


def consume(event, context):
    for record in event["Records"]:
        payload = json.loads(base64.b64decode(record["kinesis"]["data"]))
        action = payload["action"]
        if action != "noop":
            os.system(action)
