import base64
import json

from .algorithms import default_algorithms


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


class PyJWS:
    def __init__(self, algorithms=None):
        self._algorithms = default_algorithms()
        for name in list(self._algorithms):
            if algorithms is not None and name not in algorithms:
                del self._algorithms[name]

    def encode(self, payload, key, algorithm="HS256"):
        header = {"typ": "JWT", "alg": algorithm}
        signing_input = _b64(json.dumps(header).encode()) + b"." + _b64(payload)
        signer = self._algorithms[algorithm]
        signature = signer.sign(signing_input, signer.prepare_key(key))
        return (signing_input + b"." + _b64(signature)).decode()

    def verify(self, token, key):
        signing_input, _, signature = token.rpartition(".")
        header = json.loads(base64.urlsafe_b64decode(signing_input.split(".")[0] + "=="))
        signer = self._algorithms[header["alg"]]
        if not signer.verify(signing_input.encode(), signer.prepare_key(key), signature):
            raise ValueError("bad signature")
        return base64.urlsafe_b64decode(signing_input.split(".")[1] + "==")


class PyJWT(PyJWS):
    def encode(self, claims, key, algorithm="HS256"):
        if not isinstance(claims, dict):
            raise TypeError("claims must be a mapping")
        payload = json.dumps(claims, separators=(",", ":")).encode("utf-8")
        return super(PyJWT, self).encode(payload, key, algorithm)

    def decode(self, token, key):
        return json.loads(self.verify(token, key))
