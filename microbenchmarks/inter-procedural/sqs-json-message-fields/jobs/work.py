import json
import os
import shutil
import subprocess


def handler(event, context):
    for record in event["Records"]:
        activity = json.loads(record["body"])
        workdir = activity["workdir"]
        os.makedirs(workdir, exist_ok=True)
        subprocess.run(f"convert /tmp/source.png -resize {activity['size']} {workdir}/thumb.png", shell=True, check=True)
        subprocess.run(f"convert {workdir}/thumb.png -annotate +10+10 '{activity['caption']}' {workdir}/out.png", shell=True, check=True)
        shutil.rmtree(workdir)
