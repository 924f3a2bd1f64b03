import base64
import json

BONUS = {"double": 2, "triple": 3}


def handler(event, context):
    totals = {}
    for record in event["Records"]:
        entry = json.loads(base64.b64decode(record["kinesis"]["data"]))
        points = eval(entry["formula"], {"__builtins__": {}}, BONUS)
        totals[entry["player"]] = totals.get(entry["player"], 0) + points
    return totals
