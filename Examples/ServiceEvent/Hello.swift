// Sources/MyService/Hello.swift
import Gateway

let hello: Application = { environ, startResponse in
    let name = environ["QUERY_STRING"].flatMap { $0.isEmpty ? nil : $0 } ?? "world"
    try startResponse(.ok, [("Content-Type", "text/plain; charset=utf-8")])
    return ["Hello, \(name)!\n"]
}
