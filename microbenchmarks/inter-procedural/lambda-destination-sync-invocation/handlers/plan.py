import json


def plan_job(event, context):
    job = json.loads(event["body"])
    steps = [f"fetch {job['source']}", "build", "publish"]
    return {"statusCode": 200, "body": json.dumps({"steps": steps})}
