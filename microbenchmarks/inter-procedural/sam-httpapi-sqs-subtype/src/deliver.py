import json

import requests


def handler(event, context):
    for record in event["Records"]:
        delivery = json.loads(record["body"])
        response = requests.post(delivery["target"], json=delivery["payload"], timeout=10)
        print(delivery["target"], response.status_code)
