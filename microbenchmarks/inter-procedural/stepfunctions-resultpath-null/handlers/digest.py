import os

import boto3

notes = boto3.resource("dynamodb").Table(os.environ["NOTES_TABLE"])


def announce_note(event, context):
    note = notes.get_item(Key={"noteId": event["noteId"]})["Item"]
    print("New note: " + note["title"])
    # The state's ResultPath is null: this return value is discarded and
    # the next state gets the execution input again.
    return {"title": note["title"]}


def archive_notes(event, context):
    os.system("tar czf /tmp/" + event["title"] + ".tgz /tmp/notes")
    return {"archived": event["title"]}
