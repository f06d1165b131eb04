import AirlockSQL

/// SQL from a database door: one command per statement (so each is decided on its own and the
/// message's verdict is its strictest statement's), acting on the door's database in the
/// environment its configuration declares.
enum SQLRequests {
    static func analyze(_ request: SQLRequest, session: AnalysisSession, frame: Frame) {
        if request.text.utf8.contains(0) {
            session.problem("SQL containing a NUL byte")
            return
        }
        if request.text.utf8.count > session.limits.maxLength {
            session.problem("SQL of \(request.text.utf8.count) bytes, longer than the \(session.limits.maxLength) bytes Airlock analyses")
            return
        }
        let statements = request.statements ?? SQLClassifier.classify(request.text, dialect: request.dialect)
        let target = Target(.host, request.location, source: "upstream \(request.database)")
        let declared = DeclaredEnvironment(name: request.environment, reason: "upstream '\(request.database)' is declared in \(request.environment)")
        guard !statements.isEmpty else {
            // An empty query string: PostgreSQL answers EmptyQueryResponse; nothing runs.
            var command = AnalyzedCommand(binary: "sql", args: [request.database], effect: .read, effectReason: "no statements", targets: [target])
            command.declared = declared
            session.emit(command)
            return
        }
        for (index, var statement) in statements.enumerated() {
            statement.index = index
            var command = AnalyzedCommand(
                binary: "sql", args: [request.database], subcommand: statement.kind, effect: statement.sqlClass.effect,
                effectReason: "\(statement.sqlClass.rawValue): \(statement.reason)", targets: [target],
                statements: [statement.text], sql: statement)
            command.declared = declared
            session.emit(command)
        }
    }
}
