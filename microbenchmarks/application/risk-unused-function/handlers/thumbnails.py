import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)
SIZES = (128, 512)


def make(event, context):
    for size in SIZES:
        logger.info("thumbnail %dpx for %s/%s", size, event["album"], event["photo"])
    return {"sizes": list(SIZES)}
