import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def _log_changes(kind, event):
    for record in event["Records"]:
        keys = record["dynamodb"]["Keys"]
        logger.info(json.dumps({"audit": kind, "change": record["eventName"], "keys": keys}))


def accounts(event, context):
    _log_changes("account", event)


def payment_methods(event, context):
    _log_changes("payment-method", event)
