import logging
import os
from urllib.parse import unquote_plus

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)

s3 = boto3.client("s3")
WORK_DIR = "/tmp/unpack"


def handler(event, context):
    os.makedirs(WORK_DIR, exist_ok=True)
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        local = WORK_DIR + "/" + key.rsplit("/", 1)[-1]

        s3.download_file(bucket, key, local)
        status = os.system("unzip -o " + local + " -d " + WORK_DIR)
        logger.info("unpacked %s (exit status %s)", key, status)
