import json
import time

STARTED = time.time()


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"up": True, "warm_for_s": int(time.time() - STARTED)})}
