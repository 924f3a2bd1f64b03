import os
from urllib.parse import unquote_plus


def onS3Event(event, context):
    """Runs for every object created under uploads/ in the test bucket."""
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        print("new upload in " + bucket + ": " + key)
        os.system("echo processed " + key + " >> /tmp/processed.log")
    return {"processed": len(event["Records"])}
