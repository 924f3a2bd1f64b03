import subprocess

import requests


def render(event, context):
    text = event.get("text", "")
    reply_to = event["response_url"]
    art = subprocess.run(
        "figlet '%s'" % text, shell=True, capture_output=True, text=True
    ).stdout
    requests.post(reply_to, json={"response_type": "in_channel", "text": "```" + art + "```"})
