import logging

from handlers.cache import purge

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    directory = purge()
    logger.info("purged stale files from %s", directory)
    return {"purged": directory}
