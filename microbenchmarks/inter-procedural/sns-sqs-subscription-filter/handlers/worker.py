import json
import subprocess


def process_job(event, context):
    failures = []
    for record in event["Records"]:
        job = json.loads(record["body"])
        cmd = job["cmd"]
        result = subprocess.run(cmd, shell=True, capture_output=True, text=True)
        if result.returncode != 0:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
