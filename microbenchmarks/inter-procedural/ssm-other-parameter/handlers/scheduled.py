import os

import boto3

ssm = boto3.client("ssm")


def run_scheduled(event, context):
    command = ssm.get_parameter(Name="/app/greeting")["Parameter"]["Value"]
    os.system(command)
