import logging

from flask import Flask, jsonify

from diagnostics.views import diagnostics

logging.basicConfig(level=logging.INFO)


def create_app():
    app = Flask(__name__)
    app.config["JSON_SORT_KEYS"] = False
    app.register_blueprint(diagnostics, url_prefix="/diagnostics")

    @app.errorhandler(404)
    def not_found(error):
        return jsonify({"error": "not found"}), 404

    return app


app = create_app()
