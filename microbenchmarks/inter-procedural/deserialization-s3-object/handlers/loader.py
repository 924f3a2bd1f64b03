import json
import logging
import pickle
from urllib.parse import unquote_plus

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)

s3 = boto3.client("s3")


def _describe(model):
    return {
        "type": type(model).__name__,
        "params": getattr(model, "get_params", lambda: {})(),
    }


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])

        obj = s3.get_object(Bucket=bucket, Key=key)
        model = pickle.loads(obj["Body"].read())

        logger.info("loaded %s: %s", key, json.dumps(_describe(model), default=str))
