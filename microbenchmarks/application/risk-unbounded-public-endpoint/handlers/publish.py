import json
import logging

logger = logging.getLogger()


def handler(event, context):
    recipe = json.loads(event["body"])
    editor = event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
    logger.info("recipe %r submitted by %s", recipe.get("title"), editor)
    return {"statusCode": 202}
