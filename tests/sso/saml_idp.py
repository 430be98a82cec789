"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP (`saml2.server.Server`) behind
a small WSGI server on 127.0.0.1, with its own key and certificate made at start, its metadata
at /metadata, a sign-in form, and signed assertions posted back to the SP.

Configured by one JSON environment variable, SAML_IDP_CONFIG:
  {"port": 4012, "dir": "/tmp/idp", "sp_metadata_urls": ["http://…/accounts/saml/acme/metadata/"],
   "users": [{"email": "ann@acme.test", "password": "…", "name": "Ann Berg"}]}
The SPs' metadata is fetched at each sign-in request (the SP may be configured after the IdP
starts). Prints "ready <base url>" when it listens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

CONFIG = json.loads(os.environ.get("SAML_IDP_CONFIG", "{}"))
PORT = int(CONFIG["port"])
BASE = f"http://127.0.0.1:{PORT}"
WORKDIR = Path(CONFIG.get("dir") or ".")
USERS = {u["email"].lower(): u for u in CONFIG.get("users", [])}


def make_key_and_cert(directory: Path) -> tuple[Path, Path]:
    """A fresh RSA key and self-signed certificate for signing, as an IdP admin would upload."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test IdP")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .sign(key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = directory / "idp.key", directory / "idp.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


KEY, CERT = make_key_and_cert(WORKDIR)
IDP_CONFIG = {
    "entityid": f"{BASE}/metadata",
    "service": {
        "idp": {
            "name": "Test IdP",
            "endpoints": {
                "single_sign_on_service": [(f"{BASE}/sso/redirect", BINDING_HTTP_REDIRECT),
                                           (f"{BASE}/sso/post", BINDING_HTTP_POST)],
            },
            "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            "sign_assertion": True,
            "sign_response": False,
            "want_authn_requests_signed": False,
        },
    },
    "key_file": str(KEY),
    "cert_file": str(CERT),
    "xmlsec_binary": "/usr/bin/xmlsec1",
    "metadata": {},
}
conf = IdPConfig()
conf.load(IDP_CONFIG)
IDP = Server(config=conf)
METADATA = create_metadata_string(None, config=conf, sign=False)


def page(start_response, body: str, status: str = "200 OK", content_type="text/html; charset=utf-8"):
    data = body.encode("utf-8") if isinstance(body, str) else body
    start_response(status, [("Content-Type", content_type), ("Cache-Control", "no-store")])
    return [data]


def login_form(saml_request: str, relay_state: str, binding: str, email: str = "", error: str = "") -> str:
    e = html.escape
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP sign-in</title></head>
<body><main><h1>Test SAML IdP</h1>{f'<p role="alert">{e(error)}</p>' if error else ''}
<form method="post" action="/login">
<input type="hidden" name="SAMLRequest" value="{e(saml_request)}">
<input type="hidden" name="RelayState" value="{e(relay_state)}">
<input type="hidden" name="binding" value="{e(binding)}">
<label for="email">Email</label> <input id="email" name="email" type="email" value="{e(email)}" required>
<label for="password">Password</label> <input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form></main></body></html>"""


def load_sp_metadata():
    for url in CONFIG.get("sp_metadata_urls", []):
        IDP.metadata.load("remote", url=url)


def form_of(environ) -> dict[str, str]:
    if environ["REQUEST_METHOD"] == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(size).decode("utf-8")
    else:
        raw = environ.get("QUERY_STRING", "")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def sso(environ, start_response, binding):
    form = form_of(environ)
    try:
        load_sp_metadata()
        IDP.parse_authn_request(form["SAMLRequest"], binding)
    except Exception as exc:  # a bad request is the SP's problem: say so
        return page(start_response, f"bad authentication request: {exc}", "400 Bad Request", "text/plain")
    return page(start_response, login_form(form["SAMLRequest"], form.get("RelayState", ""), binding))


def login(environ, start_response):
    form = form_of(environ)
    binding = form.get("binding") or BINDING_HTTP_REDIRECT
    user = USERS.get(form.get("email", "").lower())
    if not user or user["password"] != form.get("password"):
        return page(start_response, login_form(form.get("SAMLRequest", ""), form.get("RelayState", ""), binding,
                                               form.get("email", ""), "Wrong email or password."))
    load_sp_metadata()
    request = IDP.parse_authn_request(form["SAMLRequest"], binding)
    args = IDP.response_args(request.message, [BINDING_HTTP_POST])
    given, _, family = (user.get("name") or "").partition(" ")
    identity = {"mail": [user["email"]], "givenName": [given], "sn": [family]}
    persistent = "u-" + hashlib.sha256(user["email"].lower().encode()).hexdigest()[:20]
    name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=persistent,
                     sp_name_qualifier=args["sp_entity_id"], name_qualifier=IDP.config.entityid)
    response = IDP.create_authn_response(
        identity, userid=persistent, name_id=name_id, authn={"class_ref": PASSWORD, "authn_auth": BASE},
        sign_assertion=True, sign_response=False, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256, **args)
    http_args = IDP.apply_binding(BINDING_HTTP_POST, str(response), args["destination"],
                                  form.get("RelayState", ""), response=True)
    return page(start_response, http_args["data"])


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/metadata":
        return page(start_response, METADATA, content_type="application/samlmetadata+xml")
    if path == "/sso/redirect":
        return sso(environ, start_response, BINDING_HTTP_REDIRECT)
    if path == "/sso/post":
        return sso(environ, start_response, BINDING_HTTP_POST)
    if path == "/login" and environ["REQUEST_METHOD"] == "POST":
        return login(environ, start_response)
    return page(start_response, "not found", "404 Not Found", "text/plain")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # the test's output stays readable
        sys.stderr.write("saml-idp: " + (format % args) + "\n")


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


if __name__ == "__main__":
    server = make_server("127.0.0.1", PORT, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    print(f"ready {BASE}", flush=True)
    server.serve_forever()
