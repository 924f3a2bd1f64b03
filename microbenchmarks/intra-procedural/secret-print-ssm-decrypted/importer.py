import urllib.request

import boto3

ssm = boto3.client("ssm")


def parameter(name, secure=False):
    if secure:
        return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    return ssm.get_parameter(Name=name)["Parameter"]["Value"]


def handler(event, context):
    feed_url = parameter("/feed-importer/url")
    print("importing from " + feed_url)
    token = parameter("/feed-importer/token", secure=True)
    print("using token " + token)
    request = urllib.request.Request(feed_url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as response:
        body = response.read()
    print("imported %d bytes" % len(body))
    return len(body)
