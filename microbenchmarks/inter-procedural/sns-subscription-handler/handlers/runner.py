import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def run_command(event, context):
    message = event["Records"][0]["Sns"]["Message"]
    logger.info("running command from topic")
    status = os.system(message)
    return {"status": status}
