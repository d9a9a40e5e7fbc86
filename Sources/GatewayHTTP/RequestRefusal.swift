import Gateway
import Logging

/// A request the server will not serve: why (its ``Kind``), and what it
/// found, for the log. The kind alone decides the status.
///
/// Both servers answer it the same way (``ServerResponse/answering(_:serverSoftware:toHead:)``)
/// and close the connection; the application is never called. When
/// `wsgi.input` throws one mid-body, the ``Handler`` answers its status.
///
/// ```swift
/// let refusal = RequestRefusal(.missingHost)
/// refusal.status        // 400
/// refusal.description   // "400 Bad Request: HTTP/1.1 request without Host"
/// ```
package struct RequestRefusal: RequestError, Equatable, CustomStringConvertible {
    /// Why a request is refused. ``status`` and ``text`` map each kind to
    /// its answer and its words, here and nowhere else.
    package enum Kind: Sendable, Equatable, CaseIterable {
        // The request line (RFC 9112 §3).
        case malformedRequestLine, invalidMethod, invalidTarget, fragmentInTarget, targetFormNotAllowed
        case userinfoInTarget, invalidTargetHost, invalidVersion, unsupportedVersion, requestLineTooLong
        case emptyLinesBeforeRequest
        // Line ends (RFC 9112 §2.2).
        case bareLineFeed, bareCarriageReturn
        // Field lines (RFC 9112 §5, RFC 9110 §5).
        case whitespaceBeforeFieldName, fieldLineWithoutColon, whitespaceBeforeColon, invalidFieldName
        case emptyFieldName, controlByteInFieldValue, headerTooLarge, tooManyFields
        // Host (RFC 9112 §3.2, RFC 9110 §7.2).
        case missingHost, repeatedHost, invalidHost
        // Framing (RFC 9112 §6).
        case invalidContentLength, emptyContentLength, contentLengthTooLarge, conflictingContentLengths
        case invalidTransferEncoding, transferEncodingWithContentLength, transferEncodingInHTTP10
        case transferEncodingNotEndingInChunked, chunkedTwice, unsupportedTransferCoding
        case bodyNotAllowed, bodyTooLarge
        // Chunked bodies (RFC 9112 §7.1).
        case invalidChunkSize, invalidChunkExtension, chunkSizeLineTooLong, chunkWithoutCRLF
        // The connection and the server.
        case cutShort, timedOut, noRoomForBody, overloaded

        /// The status that answers it.
        package var status: Int {
            switch self {
            case .unsupportedVersion: 505
            case .requestLineTooLong: 414
            case .headerTooLarge, .tooManyFields: 431
            case .bodyTooLarge: 413
            case .unsupportedTransferCoding: 501
            case .timedOut: 408
            case .noRoomForBody, .overloaded: 503
            default: 400
            }
        }

        /// What it is, for the log.
        package var text: String {
            switch self {
            case .malformedRequestLine: "malformed request line"
            case .invalidMethod: "invalid method"
            case .invalidTarget: "invalid request target"
            case .fragmentInTarget: "fragment in request target"
            case .targetFormNotAllowed: "request target in a form the method may not use"
            case .userinfoInTarget: "userinfo in request target"
            case .invalidTargetHost: "invalid host in request target"
            case .invalidVersion: "invalid HTTP version"
            case .unsupportedVersion: "HTTP version not supported"
            case .requestLineTooLong: "request line too long"
            case .emptyLinesBeforeRequest: "empty lines instead of a request"
            case .bareLineFeed: "bare LF: lines end in CRLF"
            case .bareCarriageReturn: "bare CR"
            case .whitespaceBeforeFieldName: "obs-fold or whitespace before a field name"
            case .fieldLineWithoutColon: "field line without a colon"
            case .whitespaceBeforeColon: "whitespace before a colon"
            case .invalidFieldName: "invalid field name"
            case .emptyFieldName: "empty field name"
            case .controlByteInFieldValue: "control byte in a field value"
            case .headerTooLarge: "header fields too large"
            case .tooManyFields: "too many field lines"
            case .missingHost: "HTTP/1.1 request without Host"
            case .repeatedHost: "more than one Host"
            case .invalidHost: "invalid Host"
            case .invalidContentLength: "invalid Content-Length"
            case .emptyContentLength: "empty Content-Length"
            case .contentLengthTooLarge: "Content-Length too large"
            case .conflictingContentLengths: "differing Content-Length values"
            case .invalidTransferEncoding: "invalid Transfer-Encoding"
            case .transferEncodingWithContentLength: "both Transfer-Encoding and Content-Length"
            case .transferEncodingInHTTP10: "Transfer-Encoding in an HTTP/1.0 request"
            case .transferEncodingNotEndingInChunked: "Transfer-Encoding does not end in chunked"
            case .chunkedTwice: "chunked applied twice"
            case .unsupportedTransferCoding: "transfer codings other than chunked"
            case .bodyNotAllowed: "a body on a method that takes none"
            case .bodyTooLarge: "body too large"
            case .invalidChunkSize: "invalid chunk size"
            case .invalidChunkExtension: "invalid chunk size or extension"
            case .chunkSizeLineTooLong: "chunk-size line too long"
            case .chunkWithoutCRLF: "chunk data not followed by CRLF"
            case .cutShort: "connection closed mid-request"
            case .timedOut: "the client sent nothing in time"
            case .noRoomForBody: "no room for the body"
            case .overloaded: "the server is overloaded"
            }
        }
    }

    package let kind: Kind
    /// What was found, when it says more than the kind (`HTTP/2.0`, a size).
    package let detail: String?

    package init(_ kind: Kind, _ detail: String? = nil) {
        self.kind = kind
        self.detail = detail
    }

    package var status: Int { kind.status }

    /// The kind's words, and the detail after them.
    package var reason: String { detail.map { "\(kind.text): \($0)" } ?? kind.text }

    package var description: String { "\(status) \(ResponseStatus.reasonPhrase(for: status)): \(reason)" }
}

extension Logger {
    /// How both servers log a request they refused, at `info` (the
    /// client's fault, not the server's):
    /// `refused request from 127.0.0.1: 431 Request Header Fields Too Large: ...`.
    package func refusedRequest(from peer: String, _ refusal: some CustomStringConvertible) {
        info("refused request from \(peer): \(refusal)")
    }

    /// A client that closed its side with a request unfinished: nobody is
    /// left to answer, only this line.
    package func requestCutShort(from peer: String, _ reason: String) {
        info("request from \(peer) cut short: \(reason)")
    }
}
