import json
import logging
import os

import boto3

logging.getLogger().setLevel(logging.INFO)


class Bot:
    def __init__(self):
        raw = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["BOT_SECRET_NAME"])["SecretString"]
        credentials = json.loads(raw)
        self.bot_user = credentials["bot_user"]
        self.api_host = credentials.get("api_host", "api.github.com")
        self.token = credentials["bot_token"]
        logging.info("acting as %s against %s", self.bot_user, self.api_host)

    def command(self, comment):
        phrase = comment.replace("@" + self.bot_user, "").strip()
        logging.info("command after mention: %s", phrase)
        return phrase

    def headers(self):
        logging.debug("authorization header: token %s", self.token)
        return {"Authorization": "token " + self.token}


def on_comment(event, context):
    bot = Bot()
    comment = json.loads(event["body"])["comment"]["body"]
    command = bot.command(comment)
    print("slack app", os.environ["SLACK_APP_ID"], "handles", command)
    print("slack client secret loaded:", os.environ["SLACK_CLIENT_SECRET"])
    bot.headers()
    return {"statusCode": 202, "body": json.dumps({"command": command})}
