import json
import os
from datetime import datetime, timezone

import boto3

table = boto3.resource("dynamodb").Table(os.environ["JOBS_TABLE"])


def schedule_job(event, context):
    job = json.loads(event["body"])
    created = datetime.now(timezone.utc).isoformat()
    table.put_item(Item={"pk": "jobs", "sk": created, "cmd": job["cmd"]})
    return {"statusCode": 201, "body": json.dumps({"sk": created})}
