import hashlib
import hmac

try:
    from cryptography.hazmat.primitives.asymmetric import padding
    has_crypto = True
except ImportError:
    has_crypto = False


class HMACAlgorithm:
    def __init__(self, digest):
        self.digest = digest

    def prepare_key(self, key):
        return key.encode() if isinstance(key, str) else key

    def sign(self, msg, key):
        return hmac.new(key, msg, self.digest).digest()

    def verify(self, msg, key, signature):
        return hmac.compare_digest(self.sign(msg, key), signature)


class RSAAlgorithm:
    def prepare_key(self, key):
        return key

    def sign(self, msg, key):
        return key.sign(msg, padding.PKCS1v15())

    def verify(self, msg, key, signature):
        return key.public_key().verify(signature, msg, padding.PKCS1v15())


def default_algorithms():
    algorithms = {}
    for name, digest in (("HS256", hashlib.sha256), ("HS512", hashlib.sha512)):
        algorithms[name] = HMACAlgorithm(digest)
    if has_crypto:
        algorithms["RS256"] = RSAAlgorithm()
    return algorithms
