/// Status and byte count of one response, filled in as it goes; and the
/// user that authentication further in found (its environ is its own copy).
final class AccessRecord {
    static let environKey = "gateway.access_record"
    var status = 0
    var bytes = 0
    var user: String?
}
