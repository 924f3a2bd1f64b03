import urllib.parse

from .adapters import HTTPAdapter


class Session:
    def __init__(self):
        self.adapters = {"https://": HTTPAdapter(), "http://": HTTPAdapter()}

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def request(self, method, url, params=None, **kwargs):
        if params:
            url = url + "?" + urllib.parse.urlencode(params)
        for prefix in self.adapters:
            if url.lower().startswith(prefix):
                return self.adapters[prefix].send(method.upper(), url, **kwargs)
        raise ValueError("No connection adapters were found for " + url)

    def close(self):
        for adapter in self.adapters.values():
            adapter.close()
