#if canImport(Glibc)
import Glibc
#endif

/// Reads an HTTP date (RFC 9110 §5.6.7) as seconds since the epoch.
/// IMF-fixdate only (`Sun, 06 Nov 1994 08:49:37 GMT`); the obsolete forms
/// give nil, which makes a conditional header count as absent.
func parseHTTPDate(_ text: String) -> Int? {
    let parts = text.split(separator: " ")
    guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
          let day = Int(parts[1]), let year = Int(parts[3]),
          let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            .firstIndex(of: String(parts[2]))
    else { return nil }
    let clock = parts[4].split(separator: ":").compactMap { Int($0) }
    guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]),
          (0...59).contains(clock[1]), (0...60).contains(clock[2])
    else { return nil }
    var moment = tm()
    moment.tm_year = Int32(year - 1900)
    moment.tm_mon = Int32(month)
    moment.tm_mday = Int32(day)
    moment.tm_hour = Int32(clock[0])
    moment.tm_min = Int32(clock[1])
    moment.tm_sec = Int32(clock[2])
    return Int(timegm(&moment))
}
