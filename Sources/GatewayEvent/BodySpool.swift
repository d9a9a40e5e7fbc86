import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// A request body held aside as it arrives: its first bytes in
/// memory, up to what the ``BodyBudget`` granted, the rest in an unlinked
/// temporary file (like Python's `SpooledTemporaryFile`, nginx's
/// `client_body_temp`, waitress's `inbuf_overflow`). The application reads
/// it back through ``input()``; the file goes with the last reference.
final class BodySpool {
    struct WriteFailed: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "could not spool the request body: \(String(cString: strerror(errno)))" }
    }

    private var reservation: BodyBudget.Reservation?
    /// Disk the file may fill, reserved ahead of the writes.
    private let disk: BodyBudget
    private var diskReserved: [BodyBudget.Reservation] = []
    private var diskRoom = 0
    private let directory: String
    private var memory: [UInt8] = []
    private var file: Int32 = -1
    private var fileLength = 0

    /// A spool keeping up to `reservation.bytes` in memory (none without one),
    /// the rest in a file in `directory`, within the `disk` budget
    /// (`expected` bytes of it reserved at once when the length is known).
    init(reservation: BodyBudget.Reservation?, disk: BodyBudget, expected: Int?, directory: String) throws {
        self.reservation = reservation
        self.disk = disk
        self.directory = directory
        if let expected { try reserveDisk(expected) }
    }

    struct NoRoom: Error, CustomStringConvertible {
        let capacity: Int
        var description: String { "spooled request bodies would pass their disk budget of \(capacity) bytes" }
    }

    private func reserveDisk(_ bytes: Int) throws {
        guard let granted = disk.reserve(bytes) else { throw NoRoom(capacity: disk.capacity) }
        diskReserved.append(granted)
        diskRoom += bytes
    }

    deinit { if file >= 0 { Glibc.close(file) } }

    /// Bytes held so far.
    var count: Int { memory.count + fileLength }
    /// True once part of the body went to disk.
    var isOnDisk: Bool { file >= 0 }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if file < 0 && memory.count + bytes.count <= (reservation?.bytes ?? 0) {
            return memory.append(contentsOf: bytes)
        }
        if file < 0 { try openFile() }
        // A body of unknown length (chunked) takes its disk budget as it grows.
        if fileLength + bytes.count > diskRoom { try reserveDisk(max(bytes.count, 256 * 1024)) }
        var offset = 0
        while offset < bytes.count {
            let written = write(file, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteFailed(errno: errno)
            }
            offset += written
        }
        fileLength += bytes.count
    }

    /// `wsgi.input` over the spooled body: memory first, then the file,
    /// read with `pread` (the spool stays whole; readers never share it).
    func input() -> RequestInput {
        var position = 0
        return RequestInput(source: { [self] wanted in
            if position < memory.count {
                let end = min(memory.count, position + wanted)
                defer { position = end }
                return Array(memory[position..<end])
            }
            let offset = position - memory.count
            guard file >= 0, offset < fileLength else { return [] }
            let length = min(wanted, fileLength - offset)
            let bytes = try [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
                count = 0
                while count < length {
                    let got = pread(file, buffer.baseAddress! + count, length - count, off_t(offset + count))
                    if got < 0 && errno == EINTR { continue }
                    if got < 0 { throw WriteFailed(errno: errno) }
                    if got == 0 { break }
                    count += got
                }
            }
            position += bytes.count
            return bytes
        })
    }

    private func openFile() throws {
        var template = Array("\(directory)/gateway-body-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw WriteFailed(errno: errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)  // not into a CGI child or a forked worker
        // Unlinked at once: nothing is left behind, whatever becomes of the process.
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        file = descriptor
        reservation = nil  // what memory held moves to the file: give its budget back
        if !memory.isEmpty {
            let kept = memory
            memory = []
            try kept.withUnsafeBytes { try append($0) }
        }
    }
}
