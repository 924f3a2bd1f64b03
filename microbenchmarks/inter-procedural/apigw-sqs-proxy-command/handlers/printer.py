import json
import os


def print_label(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        title = job.get("title", "parcel")
        os.system(f"/opt/bin/print-label --title '{title}' --copies 1")
    return {"printed": len(event["Records"])}
