import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))


def lambda_handler(event, context):
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        image = record["dynamodb"]["NewImage"]
        hostname = image["hostname"]["S"]
        logger.info("provisioning %s", hostname)
        os.system("ping -c 1 " + hostname)
