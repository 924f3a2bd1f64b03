import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        logger.info("picking %d lines of order %s", len(order["lines"]), order["orderId"])


def legacy(event, context):
    for record in event["Records"]:
        logger.info("legacy fulfilment of %s", record["messageId"])
