from urllib.parse import unquote_plus

from handlers.helpers import save_item


def onS3Event(event, context):
    """Records every upload; the key is staged through two scratch files."""
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        with open("/tmp/a", "w") as staging:
            staging.write(key)
        with open("/tmp/a") as src, open("/tmp/b", "w") as dst:
            dst.write(src.read())
        with open("/tmp/b") as copy:
            staged_key = copy.read()
        save_item(staged_key)
    return {"stored": len(event["Records"])}
