import subprocess
from urllib.parse import unquote_plus


def onS3Event(event, context):
    """Runs for every object created under uploads/ in the test bucket."""
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        name = key[len("uploads/"):]
        print("indexing", name)
        subprocess.call("echo indexed " + name + " >> /tmp/index.log", shell=True)
    return {"processed": len(event["Records"])}
