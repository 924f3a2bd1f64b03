import os

import requests

TOKEN = os.environ["TELEGRAM_BOT_TOKEN"]
API = "https://api.telegram.org/bot{}/sendMessage".format(TOKEN)


def remind(event, context):
    response = requests.post(API, json={"chat_id": os.environ["CHAT_ID"], "text": "Stand-up in 15 minutes"}, timeout=10)
    if not response.ok:
        print("telegram call failed:", API, response.status_code)
    return {"ok": response.ok}
