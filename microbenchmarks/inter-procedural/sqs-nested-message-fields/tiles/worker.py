import json
import os
import shutil


def render_tiles(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        output = job["output"]
        folder = output["folder"]
        os.makedirs(folder, exist_ok=True)
        os.system("gdal2tiles.py -z %d-%d source.tif %s" % (job["zoom"]["min"], job["zoom"]["max"], folder))
        os.system("convert %s/0/0/0.png -annotate +5+5 '%s' %s/cover.png" % (folder, output["label"], folder))
        shutil.rmtree(folder)
