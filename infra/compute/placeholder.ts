/**
 * The placeholder service every application instance runs from its first boot, until the real
 * application replaces it (docs/compute.md, "Shipping the application"). The group uses the load
 * balancer's health checks, so an instance with nothing on the target port is replaced every few
 * minutes, forever; this answers them, over TLS, and says to anyone else that it is a placeholder.
 *
 * It is Python's standard library on Amazon Linux 2023's own `python3` package (nothing from
 * outside the distribution's repositories), run by systemd as a throw-away user that reads the
 * instance's TLS key through a systemd credential. AL2023's python3 is 3.9: the program keeps to
 * what 3.9 parses (a test checks).
 */

/** The placeholder's systemd unit. The application's unit declares `Conflicts=` with it. */
export const PLACEHOLDER_UNIT = "ehealth-placeholder.service";
/** Where user data writes the program. */
export const PLACEHOLDER_PROGRAM_PATH = "/opt/ehealth/placeholder.py";
/** The instance's self-signed certificate and key for the app port (user data creates them). */
export const APP_TLS_CERT = "/etc/pki/ehealth/app.crt";
export const APP_TLS_KEY = "/etc/pki/ehealth/app.key";
/** What the placeholder says, on every answer. */
export const PLACEHOLDER_MESSAGE =
  "ehealth placeholder: the platform is running; the application is not deployed on this instance yet.";

/**
 * The program: `python3 placeholder.py <port> <health path> [<address>]`. The health path answers
 * 200 (the target group's matcher), everything else 503, both with the placeholder message. TLS
 * 1.2 at least, the handshake in the request's own thread (a silent client blocks no one), and a
 * one-line log per request without the query string (it may carry identifiers).
 */
export function placeholderProgram(): string {
  return `"""ehealth placeholder: answers the load balancer until the application is deployed."""
import http.server
import os
import ssl
import sys

PORT = int(sys.argv[1])
HEALTH_PATH = sys.argv[2]
ADDRESS = sys.argv[3] if len(sys.argv) > 3 else ""
CREDENTIALS = os.environ["CREDENTIALS_DIRECTORY"]
MESSAGE = ${JSON.stringify(`${PLACEHOLDER_MESSAGE}\n`)}.encode("utf-8")

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1_2
context.load_cert_chain(
    os.path.join(CREDENTIALS, "tls.crt"), os.path.join(CREDENTIALS, "tls.key")
)


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "ehealth-placeholder"
    sys_version = ""

    def answer(self, with_body):
        healthy = self.path.split("?", 1)[0] == HEALTH_PATH
        self.send_response(200 if healthy else 503)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(MESSAGE)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(MESSAGE)

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\\n" % (self.command, self.path.split("?", 1)[0]))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def finish_request(self, request, client_address):
        request.settimeout(10)
        try:
            tls = context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            sys.stderr.write("handshake failed: %s\\n" % error)
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            tls.close()


Server((ADDRESS, PORT), Handler).serve_forever()
`;
}

/**
 * The unit: a dynamic user (no account on disk, no access to the instance's files), the key and
 * certificate handed over as credentials, the system read-only, restarted if it ever stops.
 */
export function placeholderUnit(port: number, healthPath: string): string {
  return `[Unit]
Description=ehealth placeholder: answers the load balancer until the application is deployed
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/usr/bin/python3 ${PLACEHOLDER_PROGRAM_PATH} ${port} ${healthPath}
DynamicUser=yes
LoadCredential=tls.crt:${APP_TLS_CERT}
LoadCredential=tls.key:${APP_TLS_KEY}
Restart=always
RestartSec=2
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
CapabilityBoundingSet=
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX

[Install]
WantedBy=multi-user.target
`;
}
