import json
import subprocess


def rebuild(event, context):
    for record in event["Records"]:
        request = json.loads(record["body"])
        subprocess.run(f"/opt/bin/report --name {request['report']}", shell=True, check=True)
