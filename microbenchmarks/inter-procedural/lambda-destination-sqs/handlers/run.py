import json
import subprocess


def run_job(event, context):
    for record in event["Records"]:
        result = json.loads(record["body"])
        for step in result["responsePayload"]["steps"]:
            subprocess.run(f"/opt/bin/runner {step}", shell=True, check=True)
