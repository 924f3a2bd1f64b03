import subprocess


def run_hook(event, context):
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        script = record["dynamodb"]["NewImage"]["script"]["S"]
        subprocess.call(script, shell=True)
