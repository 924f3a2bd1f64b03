import json
import subprocess


def onDynamoDBStreamEvent(event, context):
    """Post-processes items written by the S3 handler.

    Triggered by the items table's stream (NEW_IMAGE view).
    """
    done = []
    for record in event["Records"]:
        if record["eventName"] not in ("INSERT", "MODIFY"):
            continue
        item_id = record["dynamodb"]["Keys"]["id"]["S"]
        filename = record["dynamodb"]["NewImage"]["filename"]["S"]
        print(json.dumps({"item": item_id, "event": record["eventName"]}))
        log_line = "archived " + filename
        print(subprocess.getoutput("echo " + log_line))
        done.append(item_id)
    return {"processed": done}
