import json
import os
import urllib.request


def reply(event, context):
    summary = os.popen("standup-summary --team '%s'" % event["text"]).read()
    request = urllib.request.Request(event["response_url"], data=json.dumps({"text": summary}).encode())
    urllib.request.urlopen(request)
