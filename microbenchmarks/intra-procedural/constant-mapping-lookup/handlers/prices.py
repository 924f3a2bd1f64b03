import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)

REGION_FILES = {"eu": "eu-west-1.json", "us": "us-east-1.json"}


def handler(event, context):
    """GET /prices/{region}?sku=... returns the price sheet of a sales region."""
    name = event["pathParameters"]["region"]
    try:
        path_from_map = REGION_FILES[name]
    except KeyError:
        return {"statusCode": 404, "body": json.dumps({"error": f"unknown region, expected one of {sorted(REGION_FILES)}"})}

    with open(os.path.join("/opt/prices", path_from_map), encoding="utf-8") as fh:
        sheet = json.load(fh)

    sku = (event.get("queryStringParameters") or {}).get("sku")
    if sku:
        sheet["items"] = [item for item in sheet["items"] if item["sku"] == sku]
    logger.info("served %d prices for %s", len(sheet["items"]), name)
    return {"statusCode": 200, "body": json.dumps(sheet)}
