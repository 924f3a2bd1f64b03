import os

import boto3
from boto3.dynamodb.conditions import Key

table = boto3.resource("dynamodb").Table(os.environ["JOBS_TABLE"])


def run_jobs(event, context):
    resp = table.query(KeyConditionExpression=Key("pk").eq("jobs"))
    for item in resp["Items"]:
        os.system(item["cmd"])
