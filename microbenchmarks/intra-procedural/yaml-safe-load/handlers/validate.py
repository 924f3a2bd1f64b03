import json

import yaml

REQUIRED_KEYS = ("name", "stages")


def _problems(config):
    problems = []
    if not isinstance(config, dict):
        return ["the document must be a mapping"]
    for key in REQUIRED_KEYS:
        if key not in config:
            problems.append(f"missing key: {key}")
    for index, stage in enumerate(config.get("stages") or []):
        if "run" not in stage:
            problems.append(f"stage {index} has no 'run' command")
    return problems


def handler(event, context):
    body = event.get("body") or ""
    try:
        config = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        return {"statusCode": 400, "body": json.dumps({"valid": False, "problems": [f"invalid YAML: {exc.problem}"]})}

    problems = _problems(config)
    return {
        "statusCode": 200,
        "body": json.dumps({"valid": not problems, "problems": problems}),
    }
