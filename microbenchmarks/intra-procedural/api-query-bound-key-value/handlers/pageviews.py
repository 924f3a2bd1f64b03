import json
import os

import boto3
from boto3.dynamodb.conditions import Key

table = boto3.resource("dynamodb").Table(os.environ["PAGEVIEWS_TABLE"])


def handler(event, context):
    """GET /sites/{siteId}/pageviews: daily page views of a site, newest first."""
    site_id = event["pathParameters"]["siteId"]
    limit = min(int((event.get("queryStringParameters") or {}).get("days", "30")), 90)

    response = table.query(KeyConditionExpression=Key("siteId").eq(site_id), ScanIndexForward=False, Limit=limit)

    days = [{"day": item["day"], "views": int(item["views"])} for item in response["Items"]]
    return {
        "statusCode": 200,
        "headers": {"Cache-Control": "max-age=300"},
        "body": json.dumps({"siteId": site_id, "days": days}),
    }
