/// One todo, as the API shows it and the `todos` table keeps it.
public struct Todo: Codable, Sendable, Equatable {
    public var id: Int
    public var title: String
    public var completed: Bool

    public init(id: Int, title: String, completed: Bool) {
        self.id = id
        self.title = title
        self.completed = completed
    }
}

/// The body of `POST /todos`: `{"title": "buy milk"}`, `completed` false
/// when left out.
public struct NewTodo: Codable, Sendable, Equatable {
    public var title: String
    public var completed: Bool

    public init(title: String, completed: Bool = false) {
        self.title = title
        self.completed = completed
    }

    enum CodingKeys: String, CodingKey { case title, completed }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decode(String.self, forKey: .title)
        completed = try container.decodeIfPresent(Bool.self, forKey: .completed) ?? false
    }
}

/// The body of `PATCH /todos/{id}`: the fields to change, the others kept.
/// (`PUT` takes a whole ``NewTodo``.)
public struct TodoChanges: Codable, Sendable, Equatable {
    public var title: String?
    public var completed: Bool?

    public init(title: String? = nil, completed: Bool? = nil) {
        self.title = title
        self.completed = completed
    }
}

/// What the API refuses in a body that is well-formed JSON of the right
/// shape: answered 422.
public struct TodoValidationError: Error, Equatable, Sendable {
    public var message: String
}

/// The longest title taken, in characters.
public let maximumTitleLength = 500

func validate(title: String?) throws {
    guard let title else { return }
    if title.allSatisfy(\.isWhitespace) {
        throw TodoValidationError(message: "field 'title' must not be empty")
    }
    if title.count > maximumTitleLength {
        throw TodoValidationError(message: "field 'title' is longer than \(maximumTitleLength) characters")
    }
}
