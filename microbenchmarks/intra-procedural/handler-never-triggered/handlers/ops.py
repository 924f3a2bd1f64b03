import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    """Run a diagnostic shell command inside the function's environment."""
    logger.info("ops command: %s", event["cmd"])
    status = os.system(event["cmd"])
    return {"exitStatus": status}
