import base64
import json
import os
import urllib.request

GATEWAY = "https://sms.gateway.example.com/send"


def send(event, context):
    auth = base64.b64encode(("alerts:" + os.environ["SMS_GATEWAY_PASSWORD"]).encode()).decode()
    for record in event["Records"]:
        text = record["Sns"]["Message"]
        request = urllib.request.Request(
            GATEWAY,
            data=json.dumps({"to": "subscribers", "text": text}).encode(),
            headers={"Authorization": "Basic " + auth, "Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10).close()
