import json
import subprocess


def handler(event, context):
    params = json.loads(event["body"])
    size = params.get("size", "256x256")
    source = params["url"].split("/")[-1]
    subprocess.check_output(f"convert /tmp/{source} -resize {size} /tmp/out.png", shell=True)
    return {"statusCode": 200, "body": json.dumps({"resized": source})}
