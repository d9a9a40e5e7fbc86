import Foundation
import Gateway
import GatewayMiddleware
import GatewayTesting
import GatewayTestSupport
import Testing

/// What an application behind `ProxyHeaders` sees, for trusted and untrusted peers.
@Suite("ProxyHeaders")
struct ProxyHeadersTests {
    /// Sends a request through the wrapper with `TestClient`: `HTTP_*`
    /// entries become request headers, others (REMOTE_ADDR) environ values.
    /// Returns the environ the application saw (nil if it was not called)
    /// and the status line the client got.
    func run(_ proxy: ProxyHeaders, _ variables: EnvironVariables) throws -> (environ: Environ?, status: String) {
        let seen = Locked<Environ?>(nil)
        let app = proxy.wrap { environ, startResponse in
            seen.withLock { $0 = environ }
            try startResponse("200 OK", [])
            return [String]()
        }
        var headers: [(String, String)] = []
        var environ = ["REMOTE_ADDR": "127.0.0.1"]
        for (key, value) in variables {
            if key.hasPrefix("HTTP_") {
                headers.append((key.dropFirst(5).replacingOccurrences(of: "_", with: "-"), value))
            } else {
                environ[key] = value
            }
        }
        let response = try TestClient(app, environ: environ).get("/", headers: headers)
        return (seen.withLock { $0 }, "\(response.status) \(response.reason)")
    }

    @Test func anUntrustedPeersForwardingHeadersAreDropped() throws {
        let proxy = ProxyHeaders(trusting: try ForwardedAllowList("10.0.0.1"))
        let (environ, _) = try run(proxy, [
            "HTTP_X_FORWARDED_FOR": "1.2.3.4", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_FORWARDED": "for=1.2.3.4",
            "HTTP_X_FORWARDED_HOST": "evil.example",
        ])
        let seen = try #require(environ)
        #expect(seen["REMOTE_ADDR"] == "127.0.0.1")
        #expect(seen.urlScheme == "http")
        for key in ["HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_FORWARDED", "HTTP_X_FORWARDED_HOST"] {
            #expect(seen[key] == nil, "\(key) from an untrusted peer")
        }
    }

    @Test func byDefaultNoOneIsTrusted() throws {
        let (environ, _) = try run(ProxyHeaders(trusting: ForwardedAllowList()), ["HTTP_X_FORWARDED_FOR": "1.2.3.4"])
        #expect(environ?["REMOTE_ADDR"] == "127.0.0.1")
        #expect(environ?["HTTP_X_FORWARDED_FOR"] == nil)
    }

    @Test func aTrustedProxySetsTheClientAndSchemeAndTheOriginalsStay() throws {
        let proxy = ProxyHeaders(trusting: try ForwardedAllowList("127.0.0.1, 10.0.0.0/8"))
        // Joined lines as the server joins them; the client forged the first hop.
        let (environ, _) = try run(proxy, [
            "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7, 10.1.2.3", "HTTP_X_FORWARDED_PROTO": "http, https",
        ])
        let seen = try #require(environ)
        #expect(seen["REMOTE_ADDR"] == "203.0.113.7")
        #expect(seen.urlScheme == "https")
        #expect(seen["HTTP_X_FORWARDED_FOR"] == "6.6.6.6, 203.0.113.7, 10.1.2.3")
        let original = try #require(seen.extras[ProxyHeaders.originalKey] as? [String: String])
        #expect(original == ["REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http"])
    }

    @Test func whenEveryHopIsTrustedTheLeftmostIsTheClient() throws {
        let proxy = ProxyHeaders(trusting: try ForwardedAllowList("*"))
        let (environ, _) = try run(proxy, ["HTTP_X_FORWARDED_FOR": "192.0.2.1,10.0.0.1", "REMOTE_ADDR": "198.51.100.9"])
        #expect(environ?["REMOTE_ADDR"] == "192.0.2.1")
    }

    @Test(arguments: [
        ("HTTP_X_FORWARDED_FOR", "not-an-ip"), ("HTTP_X_FORWARDED_FOR", "1.2.3.4,,5.6.7.8"),
        ("HTTP_X_FORWARDED_FOR", "1.2.3.4:80"), ("HTTP_X_FORWARDED_PROTO", "ftp"), ("HTTP_X_FORWARDED_PROTO", "https, "),
    ])
    func malformedValuesFromATrustedProxyGet400(header: String, value: String) throws {
        let proxy = ProxyHeaders(trusting: try ForwardedAllowList("127.0.0.1"))
        let (environ, status) = try run(proxy, [header: value])
        #expect(environ == nil, "the application is not called")
        #expect(status == "400 Bad Request")
    }

    @Test func forwardedRFC7239IsReadInsteadWhenChosen() throws {
        let proxy = ProxyHeaders(trusting: try ForwardedAllowList("127.0.0.1, ::1"), style: .forwarded)
        let (environ, _) = try run(proxy, [
            "HTTP_FORWARDED": #"for="[2001:db8::7]:4711";proto=https, for=::1"#.replacingOccurrences(of: "for=::1", with: #"for="[::1]""#),
            "HTTP_X_FORWARDED_FOR": "9.9.9.9",
        ])
        let seen = try #require(environ)
        #expect(seen["REMOTE_ADDR"] == "2001:db8::7")
        #expect(seen.urlScheme == "https")
        #expect(seen["HTTP_X_FORWARDED_FOR"] == nil, "one family only: X-Forwarded-* dropped")
    }

    @Test func xForwardedIsTheDefaultAndForwardedIsDropped() throws {
        let proxy = ProxyHeaders(trusting: try ForwardedAllowList("127.0.0.1"))
        let (environ, _) = try run(proxy, ["HTTP_FORWARDED": "for=192.0.2.1;proto=https"])
        #expect(environ?["REMOTE_ADDR"] == "127.0.0.1")
        #expect(environ?.urlScheme == "http")
        #expect(environ?["HTTP_FORWARDED"] == nil)
    }

    @Test(arguments: ["for=", "for=1.2.3.4;for=5.6.7.8", #"for="1.2.3.4"#, "for=2001:db8::1", "proto=gopher", "=x"])
    func malformedForwardedGets400(value: String) throws {
        let proxy = ProxyHeaders(trusting: try ForwardedAllowList("127.0.0.1"), style: .forwarded)
        let (environ, status) = try run(proxy, ["HTTP_FORWARDED": value])
        #expect(environ == nil)
        #expect(status == "400 Bad Request")
    }

    @Test func unixPeersAreTrustedOnlyWithUnix() throws {
        let forwarded: EnvironVariables = ["HTTP_X_FORWARDED_FOR": "192.0.2.5", "REMOTE_ADDR": "localhost"]
        let trusting = ProxyHeaders(trusting: try ForwardedAllowList("unix"), peersAreUnix: true)
        #expect(try run(trusting, forwarded).environ?["REMOTE_ADDR"] == "192.0.2.5")
        let notUnix = ProxyHeaders(trusting: try ForwardedAllowList("127.0.0.1"), peersAreUnix: true)
        #expect(try run(notUnix, forwarded).environ?["REMOTE_ADDR"] == "localhost")
    }

    @Test func allowListEntries() throws {
        let list = try ForwardedAllowList("127.0.0.1, 10.0.0.0/8, 2001:db8::/32")
        #expect(list.contains("10.255.0.1"))
        #expect(list.contains("::ffff:10.1.1.1"), "IPv4-mapped peers of a server on ::")
        #expect(list.contains("2001:db8:1::5"))
        #expect(!list.contains("11.0.0.1"))
        #expect(!list.contains("2001:db9::1"))
        #expect(!list.contains("localhost"))
        #expect(throws: ForwardedAllowListError(entry: "10.0.0.0/33")) { try ForwardedAllowList("10.0.0.0/33") }
        #expect(throws: ForwardedAllowListError(entry: "proxy.example")) { try ForwardedAllowList("proxy.example") }
    }
}
