import base64
import json
import os


def archive(event, context):
    for record in event["Records"]:
        payload = base64.b64decode(record["kinesis"]["data"]).decode("utf-8")
        order = json.loads(payload)
        with open(order["archive"], "w") as out:
            json.dump(order, out)
        os.remove(order["archive"])
        os.system("logger -t orders '%s'" % order["note"])
