import Foundation
import Gateway
import GatewayTesting
import GatewayTestSupport
import Testing

/// `gateway serve` behind Debian's nginx on loopback, as docs/deployment.md shows it:
/// over TCP and over a unix socket, with the gateway trusting nginx or not.
/// nginx's workers run as `nobody` (the master as root), so the unix socket
/// must accept another user.
@Suite("behind nginx")
struct NginxProxyTests {
    static let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }

    enum Transport: String, CaseIterable, Sendable { case tcp, unix }

    /// nginx and gateway running in a folder of their own. nginx listens on
    /// a socket the test binds on port 0 and passes it (nginx takes inherited
    /// listening sockets from `NGINX=3;`, as in its binary upgrade).
    final class Stack {
        let folder: String
        let gateway: GatewayProcess
        let listener: PassedSocket
        let proxy: ProcessWithSockets
        var port: Int { listener.port }

        init(transport: Transport, trustNginx: Bool) throws {
            folder = temporaryPath("nginx")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            // Gateway first: it reports where it listens.
            // Over unix, nginx is trusted as `unix`; 127.0.0.1 then trusts the balancer hop the tests play.
            let trust = trustNginx ? (transport == .unix ? "unix, 127.0.0.1" : "127.0.0.1") : "192.0.2.1"
            var arguments = ["--app", "probe", "--no-access-log", "--forwarded-allow-ips", trust]
            let socketPath = folder + "/gateway.sock"
            arguments += transport == .unix ? ["--unix", socketPath] : ["--host", "127.0.0.1", "--port", "0"]
            gateway = try GatewayProcess(serve: arguments)
            let upstream = transport == .unix ? "unix:\(socketPath)" : "127.0.0.1:\(gateway.port)"

            listener = try PassedSocket()
            let configuration = NginxProxyTests.configuration(folder: folder, port: listener.port, upstream: upstream)
            try configuration.write(toFile: folder + "/nginx.conf", atomically: true, encoding: .utf8)
            proxy = try ProcessWithSockets(NginxProxyTests.nginx!, ["-p", folder, "-c", folder + "/nginx.conf", "-e", folder + "/error.log"],
                                           sockets: [listener], environment: ["NGINX": "3;"])
        }

        /// A connection to nginx (its listening socket is the test's: connecting never races its start).
        func client() throws -> TestHTTPClient {
            try TestHTTPClient(port: port, timeout: 30)
        }

        var errorLog: String { (try? String(contentsOfFile: folder + "/error.log", encoding: .utf8)) ?? "" }

        func environ(_ target: String = "/environ", headers: [(String, String)] = []) throws -> [String: Any] {
            let response = try client().get(target, headers: headers)
            #expect(response.status == 200, "\(target): \(response.status) \(response.text) \(errorLog)")
            return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
        }

        deinit {
            proxy.stop(seconds: 10)  // nginx: fast shutdown
            gateway.stop()           // gateway: drain
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// The configuration docs/deployment.md shows, with paths inside `folder`.
    static func configuration(folder: String, port: Int, upstream: String) -> String {
        """
        daemon off;
        worker_processes 1;
        pid \(folder)/nginx.pid;
        error_log \(folder)/error.log warn;
        events { worker_connections 64; }
        http {
            access_log off;
            client_body_temp_path \(folder)/client_body;
            proxy_temp_path \(folder)/proxy;
            fastcgi_temp_path \(folder)/fastcgi;
            uwsgi_temp_path \(folder)/uwsgi;
            scgi_temp_path \(folder)/scgi;
            client_max_body_size 64m;

            upstream gateway {
                server \(upstream);
                keepalive 8;
            }
            server {
                listen 127.0.0.1:\(port);
                location / {
                    proxy_pass http://gateway;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_buffering off;
                }
                # Stands for a TLS server block: what nginx sends when $scheme is https.
                location /tls/ {
                    proxy_pass http://gateway/;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto https;
                }
            }
        }
        """
    }

    @Test(.enabled(if: nginx != nil, "nginx is absent (apt-get install nginx): skipped"), .timeLimit(.minutes(1)),
          arguments: Transport.allCases)
    func roundTripsStreamsUploadsAndKeepsUpstreamConnections(transport: Transport) throws {
        let stack = try Stack(transport: transport, trustNginx: true)

        let hello = try stack.client().get("/hello")
        #expect(hello.status == 200, "\(stack.errorLog)")
        #expect(hello.text == "Hello, World!")

        let stream = try stack.client().get("/stream?chunks=200&size=1000")
        #expect(stream.status == 200)
        #expect(stream.body.count == 200_000)
        #expect(stream.body.allSatisfy { $0 == UInt8(ascii: "x") })

        var upload = [UInt8](repeating: 0, count: 20 * 1024 * 1024)
        for index in upload.indices { upload[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 12) }
        let posted = try stack.client().request("POST", "/upload", body: upload)
        #expect(posted.status == 200, "\(posted.text) \(stack.errorLog)")
        #expect(posted.text.contains("\"length\": 20971520"))
        #expect(posted.text.contains("\"sha256\": \"\(try Self.sha256(upload))\""))

        if transport == .tcp {
            // nginx's upstream keep-alive: two requests, one gateway connection.
            let first = try stack.environ()["REMOTE_PORT"] as? String
            let second = try stack.environ()["REMOTE_PORT"] as? String
            #expect(first != nil && first == second)
        }
    }

    @Test(.enabled(if: nginx != nil, "nginx is absent (apt-get install nginx): skipped"), .timeLimit(.minutes(1)),
          arguments: Transport.allCases)
    func aTrustedNginxSetsTheClientAddressAndScheme(transport: Transport) throws {
        let stack = try Stack(transport: transport, trustNginx: true)
        // A balancer in front of nginx forwarded for 203.0.113.9; nginx appends its peer (us, 127.0.0.1).
        let plain = try stack.environ(headers: [("X-Forwarded-For", "203.0.113.9")])
        #expect(plain["REMOTE_ADDR"] as? String == "203.0.113.9")
        #expect(plain["wsgi.url_scheme"] as? String == "http")
        #expect(plain["HTTP_X_FORWARDED_FOR"] as? String == "203.0.113.9, 127.0.0.1", "the original stays readable")

        let direct = try stack.environ("/tls/environ")
        #expect(direct["REMOTE_ADDR"] as? String == "127.0.0.1")
        #expect(direct["wsgi.url_scheme"] as? String == "https")

        let forged = try stack.client().get("/environ", headers: [("X-Forwarded-For", "not-an-address")])
        #expect(forged.status == 400)
    }

    @Test(.enabled(if: nginx != nil, "nginx is absent (apt-get install nginx): skipped"), .timeLimit(.minutes(1)),
          arguments: Transport.allCases)
    func anUntrustedProxysForwardingIsDropped(transport: Transport) throws {
        let stack = try Stack(transport: transport, trustNginx: false)
        let environ = try stack.environ("/tls/environ", headers: [("X-Forwarded-For", "203.0.113.9")])
        // A unix-domain peer has no address: "" on both servers.
        #expect(environ["REMOTE_ADDR"] as? String == (transport == .tcp ? "127.0.0.1" : ""))
        #expect(environ["wsgi.url_scheme"] as? String == "http")
        #expect(environ["HTTP_X_FORWARDED_FOR"] == nil)
        #expect(environ["HTTP_X_FORWARDED_PROTO"] == nil)
    }

    static func sha256(_ bytes: [UInt8]) throws -> String {
        let path = "/tmp/eventgateway-sha-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }
}
