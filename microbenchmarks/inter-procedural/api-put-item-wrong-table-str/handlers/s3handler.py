from urllib.parse import unquote_plus

from handlers.helpers import save_item


def onS3Event(event, context):
    """Records every upload under uploads/ in the items table."""
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        save_item(key)
    return {"stored": len(event["Records"])}
