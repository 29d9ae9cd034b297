"""Real SMTP servers (aiosmtpd) on loopback for the Mail tests, and a MIME parser to check messages.

    smtp_peer.py            start the servers, print one JSON line, serve until stdin closes
    smtp_peer.py --parse    read one raw message on stdin, print what Python's email package sees

Servers (all on 127.0.0.1, free ports):
  tls        STARTTLS required before anything else, AUTH PLAIN and LOGIN only after TLS,
             AUTH required to send, SMTPUTF8 offered; a certificate for 127.0.0.1 and localhost
             from a CA made at start
  tls_login  the same, offering AUTH LOGIN only and no SMTPUTF8
  plain      no STARTTLS at all, but offers AUTH (a client must refuse to log in here)
  silent     accepts connections and never says anything
  inject     offers STARTTLS and answers it with "220" and, in the same packet, a planted "235"
             (the STARTTLS command injection of CVE-2011-0411); records whether the client sent
             anything after that in the clear

The JSON line: {"tls_port", "tls_login_port", "plain_port", "silent_port", "inject_port", "ca_file", "username",
"password", "events_file"}. Every AUTH attempt and every accepted message is appended to events_file
as one JSON line: {"server", "event": "auth", "mechanism", "login", "success"} or
{"server", "event": "message", "mail_from", "rcpt_tos", "login", "raw", "parsed"}.
"""

import asyncio
import datetime
import ipaddress
import json
import logging
import os
import socket
import ssl
import sys
import tempfile
import threading
from email import policy
from email.parser import BytesParser, Parser

USERNAME = "mailer@adsapp.test"
PASSWORD = "correct horse battery staple"


def parse(raw: bytes) -> dict:
    """The message as Python's email package (policy.default) reads it."""
    if raw.isascii():
        message = BytesParser(policy=policy.default).parsebytes(raw)
    else:  # UTF-8 headers (RFC 6532, sent with SMTPUTF8): read as text so addresses keep their letters
        message = Parser(policy=policy.default).parsestr(raw.decode("utf-8"))

    def addresses(name):
        header = message[name]
        if header is None:
            return []
        return [{"name": a.display_name, "email": a.addr_spec} for a in header.addresses]

    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "content": part.get_content(),
        })
    return {
        "subject": str(message["Subject"]) if message["Subject"] is not None else None,
        "from": addresses("From"),
        "to": addresses("To"),
        "reply_to": addresses("Reply-To"),
        "date": message["Date"].datetime.isoformat() if message["Date"] is not None else None,
        "message_id": str(message["Message-ID"]) if message["Message-ID"] is not None else None,
        "content_type": message.get_content_type(),
        "headers": [[name, str(value)] for name, value in message.items()],
        "parts": parts,
        "defects": [type(d).__name__ for d in message.defects]
        + [type(d).__name__ for p in message.walk() for d in p.defects],
        "long_lines": [line.decode("utf-8", "replace") for line in raw.split(b"\r\n") if len(line) > 78],
        "bare_newlines": raw.replace(b"\r\n", b"").count(b"\n"),
    }


def make_certificates(directory: str) -> tuple[str, str, str]:
    """A CA and a server certificate it signs, for 127.0.0.1 and localhost. Returns (ca, cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ADSapp test mail CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = [os.path.join(directory, name) for name in ("ca.pem", "cert.pem", "key.pem")]
    with open(paths[0], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths[2], "wb") as f:
        f.write(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return tuple(paths)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()

    def write(self, record: dict) -> None:
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def start_servers(directory: str, recorder: Recorder) -> dict:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca_file, cert_file, key_file = make_certificates(directory)
    tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_context.load_cert_chain(cert_file, key_file)

    def authenticator_for(server_name):
        def authenticator(server, session, envelope, mechanism, auth_data):
            login = password = None
            if isinstance(auth_data, LoginPassword):
                login = auth_data.login.decode("utf-8", "replace")
                password = auth_data.password.decode("utf-8", "replace")
            success = login == USERNAME and password == PASSWORD
            recorder.write({"server": server_name, "event": "auth", "mechanism": mechanism,
                            "login": login, "success": success})
            return AuthResult(success=success, handled=False, auth_data=auth_data)
        return authenticator

    class Handler:
        def __init__(self, server_name):
            self.server_name = server_name

        async def handle_DATA(self, server, session, envelope):
            raw = envelope.original_content or envelope.content
            login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
            record = {"server": self.server_name, "event": "message", "mail_from": envelope.mail_from,
                      "rcpt_tos": envelope.rcpt_tos, "login": login, "raw": raw.decode("utf-8", "replace")}
            try:
                record["parsed"] = parse(raw)
            except Exception as error:  # the test shows what failed
                record["parse_error"] = repr(error)
            recorder.write(record)
            return "250 2.0.0 Ok: queued as " + os.urandom(5).hex().upper()

    controllers = []
    ports = {}
    for name, options in [
        ("tls", dict(tls_context=tls_context, require_starttls=True, auth_require_tls=True, auth_required=True,
                     enable_SMTPUTF8=True)),
        # aiosmtpd's Controller offers SMTPUTF8 unless told not to.
        ("tls_login", dict(tls_context=tls_context, require_starttls=True, auth_require_tls=True,
                           auth_required=True, auth_exclude_mechanism=["PLAIN"], enable_SMTPUTF8=False)),
        ("plain", dict(auth_require_tls=False, enable_SMTPUTF8=False)),
    ]:
        port = free_port()
        controller = Controller(Handler(name), hostname="127.0.0.1", port=port,
                                authenticator=authenticator_for(name), ready_timeout=10, **options)
        controller.start()
        controllers.append(controller)
        ports[name + "_port"] = port

    ports["inject_port"] = start_injecting_server(recorder)

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # the kernel completes connections; nobody ever answers
    ports["silent_port"] = silent.getsockname()[1]
    return {**ports, "ca_file": ca_file, "_controllers": controllers, "_silent": silent}


def start_injecting_server(recorder: Recorder) -> int:
    """A plain-text server that plants a reply right behind its 220 to STARTTLS (see the docstring)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve(connection: socket.socket) -> None:
        with connection, connection.makefile("rb") as reader:
            connection.sendall(b"220 inject ESMTP\r\n")
            for line in reader:
                command = line.strip().upper()
                if command.startswith(b"EHLO"):
                    connection.sendall(b"250-inject\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n")
                elif command == b"STARTTLS":
                    connection.sendall(b"220 2.0.0 Ready to start TLS\r\n235 2.7.0 Authentication successful\r\n")
                    connection.settimeout(5)
                    try:
                        rest = connection.recv(4096)
                    except OSError:
                        rest = b""
                    # A client that went on would start a TLS handshake (bytes 0x16 0x03) or send a command.
                    recorder.write({"server": "inject", "event": "after_starttls", "sent": len(rest),
                                    "clear_text": rest[:1] != b"\x16" and len(rest) > 0})
                    return
                else:
                    connection.sendall(b"502 5.5.2 Not here\r\n")

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def main() -> None:
    if "--parse" in sys.argv:
        print(json.dumps(parse(sys.stdin.buffer.read())), flush=True)
        return
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    directory = tempfile.mkdtemp(prefix="adsapp-smtp-")
    events = os.path.join(directory, "events.jsonl")
    open(events, "w").close()
    servers = start_servers(directory, Recorder(events))
    print(json.dumps({
        **{k: v for k, v in servers.items() if not k.startswith("_")},
        "username": USERNAME, "password": PASSWORD, "events_file": events,
    }), flush=True)
    for _ in sys.stdin:  # serve until the parent closes stdin or goes away
        pass
    for controller in servers["_controllers"]:
        controller.stop()
    servers["_silent"].close()


if __name__ == "__main__":
    main()
