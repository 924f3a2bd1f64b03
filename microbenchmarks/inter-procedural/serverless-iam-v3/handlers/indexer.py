import os


def index_note(event, context):
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        title = key[len("notes/"):]
        os.system(f"echo '{title}' >> /tmp/index.txt")
