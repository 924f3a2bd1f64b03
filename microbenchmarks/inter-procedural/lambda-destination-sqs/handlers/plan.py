import json


def plan_job(event, context):
    job = json.loads(event["Records"][0]["Sns"]["Message"])
    steps = [f"fetch {job['source']}", "build", "publish"]
    return {"job": job.get("name", "unnamed"), "steps": steps}
