import json
import os
import urllib.request

import boto3

sns = boto3.client("sns")
API = "https://api.weather.example.com/v1/alerts?region=north&key="


def fetch(event, context):
    with urllib.request.urlopen(API + os.environ["WEATHER_API_KEY"], timeout=10) as response:
        alerts = json.load(response)["alerts"]
    for alert in alerts:
        sns.publish(TopicArn=os.environ["ALERTS_TOPIC_ARN"], Message=alert["headline"][:140])
    return {"published": len(alerts)}
