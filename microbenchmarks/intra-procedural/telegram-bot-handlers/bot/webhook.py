import json
import os
import subprocess

from telegram import Bot, Update
from telegram.ext import CommandHandler, Dispatcher

bot = Bot(os.environ["TELEGRAM_TOKEN"])


def whois(update, context):
    domain = " ".join(context.args) or update.message.text.split(" ", 1)[-1]
    answer = subprocess.check_output(
        "whois %s | head -20" % domain, shell=True, text=True
    )
    update.message.reply_text(answer)


def help_command(update, context):
    update.message.reply_text("Send /whois example.org")


dispatcher = Dispatcher(bot, None, workers=0)
dispatcher.add_handler(CommandHandler("whois", whois))
dispatcher.add_handler(CommandHandler("help", help_command))


def webhook(event, context):
    update = Update.de_json(json.loads(event["body"]), bot)
    dispatcher.process_update(update)
    return {"statusCode": 200}
