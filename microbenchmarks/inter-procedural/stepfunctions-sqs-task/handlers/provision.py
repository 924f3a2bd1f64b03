import json
import os


def provision(event, context):
    for record in event["Records"]:
        request = json.loads(record["body"])
        hostname = request["hostname"]
        os.system(f"/opt/bin/provision --host {hostname} --size small")
