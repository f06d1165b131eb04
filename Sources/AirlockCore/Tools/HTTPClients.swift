/// HTTP clients: the method decides the effect (GET reads, POST/PUT/PATCH write, DELETE
/// destroys), a GraphQL mutation whose name says delete/drop/destroy/remove/purge/truncate
/// destroys, and the URL's host is the target.
enum HTTPClients {
    static let handlers: [String: Tools.Handler] = ["curl": curl, "wget": wget, "http": httpie, "https": httpie, "xh": httpie, "xhs": httpie]

    static let destructiveVerbs = ["delete", "drop", "destroy", "remove", "purge", "truncate", "wipe", "terminate", "erase", "nuke"]

    /// The effect of a request with this method and body.
    static func classify(method: String, body: String?) -> (EffectClass, String) {
        if let body, let mutation = destructiveMutation(in: body) {
            return (.destructive, "a GraphQL mutation \(mutation) destroys data")
        }
        switch method.uppercased() {
        case "GET", "HEAD", "OPTIONS", "TRACE": return (.read, "an HTTP \(method.uppercased()) reads")
        case "DELETE": return (.destructive, "an HTTP DELETE removes a resource")
        default: return (.write, "an HTTP \(method.uppercased()) changes data")
        }
    }

    /// The first field of a GraphQL mutation whose name contains a destructive verb.
    static func destructiveMutation(in body: String) -> String? {
        let lower = body.lowercased()
        guard let mutationRange = lower.firstRange(of: "mutation") else { return nil }
        var identifiers: [String] = []
        var current = ""
        for character in body[mutationRange.upperBound...] {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else {
                if !current.isEmpty { identifiers.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { identifiers.append(current) }
        return identifiers.first { identifier in
            let lowered = identifier.lowercased()
            return destructiveVerbs.contains { lowered.contains($0) }
        }
    }

    static func hostTargets(_ urls: [String]) -> [Target] {
        urls.compactMap { url in
            let text = url.contains("://") ? url : "http://" + url
            guard let parts = URLParts(text), !parts.host.isEmpty else { return nil }
            return Target(.host, parts.host, source: "request URL")
        }
    }

    static let curl: Tools.Handler = { invocation, session in
        let valued = [
            "-X", "--request", "-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode", "--json",
            "-F", "--form", "--form-string", "-H", "--header", "-o", "--output", "-u", "--user", "-A", "--user-agent",
            "-e", "--referer", "-b", "--cookie", "-c", "--cookie-jar", "-T", "--upload-file", "--url", "-K", "--config",
            "-m", "--max-time", "--connect-timeout", "-w", "--write-out", "-x", "--proxy", "--cacert", "--cert", "--key",
            "-E", "-r", "--range", "--retry", "-Y", "-y", "--resolve", "--connect-to", "-U", "--proxy-user", "--oauth2-bearer",
            "--aws-sigv4", "--variable", "--expand-data", "--expand-url", "-z", "--time-cond", "--limit-rate", "--max-filesize",
            "-D", "--dump-header", "--trace", "--trace-ascii", "--stderr", "--output-dir", "--interface", "--unix-socket",
        ]
        let scan = OptionScan(invocation.args, valued: valued)
        var urls = scan.values("--url") + scan.operandTexts
        urls = urls.filter { !$0.isEmpty }
        let bodies = scan.values("-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode", "--json", "-F", "--form", "--form-string")
        var method = scan.value("-X", "--request")?.uppercased()
        if method == nil {
            if scan.has("-I", "--head") { method = "HEAD" }
            else if scan.has("-G", "--get") { method = "GET" }
            else if !scan.values("-T", "--upload-file").isEmpty { method = "PUT" }
            else if !bodies.isEmpty { method = "POST" }
            else { method = "GET" }
        }
        let body = bodies.isEmpty ? nil : bodies.joined(separator: "&")
        var (effect, reason) = classify(method: method ?? "GET", body: body)
        if body?.hasPrefix("@") == true, effect < .write { effect = .write }
        var paths: [PathAccess] = []
        for output in scan.values("-o", "--output") {
            if let access = session.pathAccess(Arg(output), mode: .write, frame: invocation.frame) { paths.append(access) }
        }
        let formFiles = scan.values("-F", "--form").compactMap { field -> String? in
            guard let eq = field.firstIndex(of: "=") else { return nil }
            let value = field[field.index(after: eq)...]
            guard value.hasPrefix("@") || value.hasPrefix("<") else { return nil }
            return String(value.dropFirst().prefix { $0 != ";" })
        }
        for upload in scan.values("-T", "--upload-file") + bodies.filter({ $0.hasPrefix("@") }).map({ String($0.dropFirst()) }) + formFiles {
            if let access = session.pathAccess(Arg(upload), mode: .read, frame: invocation.frame) { paths.append(access) }
        }
        if let config = scan.value("-K", "--config") {
            effect = max(effect, .opaque)
            reason = "curl reads its request from the config file \(config)"
        }
        Tools.emit(invocation.command(effect, reason, subcommand: method, targets: hostTargets(urls), paths: paths, statements: body.map { [$0] } ?? []), invocation, session: session)
    }

    static let wget: Tools.Handler = { invocation, session in
        let valued = ["-O", "--output-document", "-o", "--output-file", "-P", "--directory-prefix", "--method", "--body-data", "--body-file", "--post-data", "--post-file", "--header", "-U", "--user-agent", "--user", "--password", "-t", "--tries", "-T", "--timeout", "-e", "--execute", "-i", "--input-file", "-l", "--level", "-A", "-R", "--accept", "--reject", "-w", "--wait"]
        let scan = OptionScan(invocation.args, valued: valued)
        let body = scan.value("--body-data", "--post-data")
        var method = scan.value("--method")?.uppercased() ?? (body != nil || scan.value("--post-file", "--body-file") != nil ? "POST" : "GET")
        if scan.has("--spider") { method = "HEAD" }
        let (effect, reason) = classify(method: method, body: body)
        var paths: [PathAccess] = []
        if let output = scan.value("-O", "--output-document"), let access = session.pathAccess(Arg(output), mode: .write, frame: invocation.frame) { paths.append(access) }
        Tools.emit(invocation.command(effect == .read && !paths.isEmpty ? .write : effect, reason, subcommand: method, targets: hostTargets(scan.operandTexts), paths: paths), invocation, session: session)
    }

    /// HTTPie and xh: `http [flags] [METHOD] URL [items]`; data items (`a=b`, `a:=1`) make it a POST.
    static let httpie: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-a", "--auth", "-A", "--auth-type", "-o", "--output", "--session", "--session-read-only", "--verify", "--cert", "--cert-key", "--proxy", "--timeout", "-p", "--print", "--pretty", "-s", "--style", "--format-options", "--raw"])
        var operands = scan.operandTexts
        var method: String? = nil
        if let first = operands.first, first.allSatisfy({ $0.isUppercase }) {
            method = first
            operands.removeFirst()
        }
        guard let url = operands.first else {
            Tools.emit(invocation.command(.read, "\(invocation.name) with no URL"), invocation, session: session)
            return
        }
        let items = operands.dropFirst()
        let dataItems = items.filter { $0.contains("=") && !$0.contains("==") }
        let body = dataItems.isEmpty ? scan.value("--raw") : dataItems.joined(separator: " ")
        let resolvedMethod = method ?? (body != nil || scan.has("-f", "--form") ? "POST" : "GET")
        let (effect, reason) = classify(method: resolvedMethod, body: body)
        let shortURL = url.hasPrefix(":") ? "localhost" + url : url
        Tools.emit(invocation.command(effect, reason, subcommand: resolvedMethod, targets: hostTargets([shortURL])), invocation, session: session)
    }
}
