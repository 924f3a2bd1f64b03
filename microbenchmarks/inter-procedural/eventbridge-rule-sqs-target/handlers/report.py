import json
import subprocess


def rebuild(event, context):
    for record in event["Records"]:
        placed = json.loads(record["body"])
        customer = placed["detail"]["customer"]
        subprocess.run(f"/opt/bin/report --customer '{customer}'", shell=True, check=True)
