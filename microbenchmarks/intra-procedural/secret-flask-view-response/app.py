import os

from aws_lambda_powertools.utilities import parameters
from flask import Flask, jsonify

app = Flask(__name__)


def maps_keys():
    return parameters.get_secret(os.environ["MAPS_SECRET_NAME"], transform="json")


@app.route("/config")
def config():
    keys = maps_keys()
    app.logger.info("serving config with %d keys", len(keys))
    return jsonify({"keys": keys, "region": os.environ.get("AWS_REGION")})


@app.route("/health")
def health():
    keys = maps_keys()
    return jsonify({"ok": True, "keys_loaded": bool(keys), "secret": os.environ["MAPS_SECRET_NAME"]})


@app.route("/admin/keys")
def admin_keys():
    keys = maps_keys()
    print("admin keys requested; server key ends with", keys["server"][-4:])
    return jsonify({"status": "rotating"})
