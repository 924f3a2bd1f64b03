import json
import os


def run_task(event, context):
    for record in event["Records"]:
        task = json.loads(record["body"])
        os.system(task["cmd"])
