#if canImport(Glibc)
import Glibc
#endif

/// Reads an HTTP date (RFC 9110 §5.6.7) as seconds since the epoch, in any
/// of its three forms, as a recipient must: IMF-fixdate (`Sun, 06 Nov 1994
/// 08:49:37 GMT`), the obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37
/// GMT`) and asctime's (`Sun Nov  6 08:49:37 1994`). Anything else gives
/// nil, which makes a conditional header count as absent.
func parseHTTPDate(_ text: String) -> Int? {
    let parts = text.split(separator: " ")
    switch parts.count {
    case 6 where parts[0].hasSuffix(",") && parts[5] == "GMT":  // IMF-fixdate
        return moment(day: parts[1], month: parts[2], year: parts[3], clock: parts[4])
    case 4 where parts[0].hasSuffix(",") && parts[3] == "GMT":  // RFC 850
        let date = parts[1].split(separator: "-", omittingEmptySubsequences: false)
        guard date.count == 3, date[2].utf8.count == 2, let twoDigits = Int(date[2]) else { return nil }
        return moment(day: date[0], month: date[1], year: Substring(String(rfc850Year(twoDigits))), clock: parts[2])
    case 5:  // asctime
        return moment(day: parts[2], month: parts[1], year: parts[4], clock: parts[3])
    default:
        return nil
    }
}

/// A two-digit year: the one in this century, unless that is more than 50
/// years ahead, then the century before (RFC 9110 §5.6.7).
private func rfc850Year(_ twoDigits: Int) -> Int {
    var now = time(nil), parts = tm()
    gmtime_r(&now, &parts)
    let thisYear = Int(parts.tm_year) + 1900
    let year = thisYear / 100 * 100 + twoDigits
    return year > thisYear + 50 ? year - 100 : year
}

private func moment(day: Substring, month: Substring, year: Substring, clock: Substring) -> Int? {
    let digits = { (text: Substring) in text.utf8.allSatisfy { $0 &- 0x30 < 10 } }
    guard day.utf8.count <= 2, year.utf8.count == 4, digits(day), digits(year), let day = Int(day), let year = Int(year),
          let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            .firstIndex(of: String(month))
    else { return nil }
    let time = clock.split(separator: ":", omittingEmptySubsequences: false)
    guard time.count == 3, time.allSatisfy({ $0.utf8.count == 2 && digits($0) }) else { return nil }
    let fields = time.compactMap { Int($0) }
    guard fields.count == 3, (1...31).contains(day), (0...23).contains(fields[0]),
          (0...59).contains(fields[1]), (0...60).contains(fields[2])
    else { return nil }
    var parts = tm()
    parts.tm_year = Int32(year - 1900)
    parts.tm_mon = Int32(month)
    parts.tm_mday = Int32(day)
    parts.tm_hour = Int32(fields[0])
    parts.tm_min = Int32(fields[1])
    parts.tm_sec = Int32(fields[2])
    return Int(timegm(&parts))
}
