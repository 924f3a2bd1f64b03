import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        logger.info("transcoding job %s to %s", job["jobId"], job["preset"])
