import os


def run_tasks(event, context):
    outputs = []
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        cmd = record["dynamodb"]["NewImage"]["cmd"]["S"]
        with os.popen(cmd) as pipe:
            outputs.append(pipe.read())
    return {"ran": len(outputs)}
