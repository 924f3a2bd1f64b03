import json
import subprocess


def lambda_handler(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        command = f"git clone --depth 1 --branch {job['ref']} {job['repo']} /tmp/build"
        subprocess.run(command, shell=True, check=True)
