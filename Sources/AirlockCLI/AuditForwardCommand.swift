import AirlockAudit
import AirlockRuntime
import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `airlock audit forward`: ship the log to a syslog receiver or Splunk, resumably, with the
/// latest checkpoint in every batch so the receiver holds an anchor this machine cannot rewrite.
struct AuditForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Ship audit entries to syslog (RFC 5424) or Splunk HEC, from where the last run stopped.",
        discussion: """
            Examples:
              airlock audit forward --syslog udp://siem.internal:514
              airlock audit forward --syslog tcp://[2001:db8::5]:6514 --follow
              AIRLOCK_HEC_TOKEN=… airlock audit forward --hec https://splunk.internal:8088/services/collector/event

            Syslog: one RFC 5424 message per entry (facility authpriv, MSGID the decision), \
            structured data [airlock@32473 index="…" decision="…" checkpoint_size="…" \
            checkpoint_root="…"], the body OCSF JSON (or --format). TCP uses octet-counting \
            framing (RFC 6587).

            HEC: batches of events to the collector with "Authorization: Splunk <token>"; each \
            event's "fields" carry the index and checkpoint. Prefer $AIRLOCK_HEC_TOKEN to \
            --token: arguments are visible to other users in the process list.

            What was shipped is kept in $AIRLOCK_HOME/audit/forward/<destination>.state and \
            advanced only after a batch is accepted (TCP write done, HTTP 2xx, UDP sent): a run \
            that fails resends, it never skips. --once (the default) ships what is there and \
            exits; --follow keeps polling every second. Exit 1 when the destination fails.

            Before each batch, when the log has grown since the latest checkpoint and this \
            machine holds the signing key, a new checkpoint is signed, so the receiver always \
            gets an anchor covering what it was sent.
            """)

    @Option(help: ArgumentHelp("Syslog receiver: udp://HOST:PORT or tcp://HOST:PORT.", valueName: "url"))
    var syslog: String?

    @Option(help: ArgumentHelp("Splunk HTTP Event Collector URL (…/services/collector/event).", valueName: "url"))
    var hec: String?

    @Option(help: ArgumentHelp("HEC token (default: $AIRLOCK_HEC_TOKEN).", valueName: "token"))
    var token: String?

    @Flag(help: "Ship what is in the log and exit (default), or keep following it.")
    var mode: Mode = .once

    @Option(help: "Syslog message body: ocsf (default), jsonl, ecs, cef or text.")
    var format: AuditFormat = .ocsf

    @Option(help: "Entries per batch.")
    var batch: Int = 200

    enum Mode: String, EnumerableFlag {
        case once, follow
    }

    func validate() throws {
        switch (syslog, hec) {
        case (nil, nil): throw ValidationError("say where to forward: --syslog udp://HOST:PORT, --syslog tcp://HOST:PORT, or --hec URL --token T")
        case (.some, .some): throw ValidationError("--syslog and --hec are exclusive: run forward once per destination")
        case (.some(let url), nil):
            if token != nil { throw ValidationError("--token is for --hec") }
            do { _ = try SyslogDestination(url: url) } catch { throw ValidationError(error.message) }
        case (nil, .some(let url)):
            _ = try HECClient.endpoint(url)
            if resolvedToken == nil { throw ValidationError("--hec needs a token: --token T or $AIRLOCK_HEC_TOKEN") }
        }
        guard batch > 0 else { throw ValidationError("--batch must be at least 1") }
    }

    var resolvedToken: String? {
        let value = token ?? ProcessInfo.processInfo.environment["AIRLOCK_HEC_TOKEN"]
        return value?.isEmpty == false ? value : nil
    }

    func run() throws {
        let store = AuditLocation.store()
        let destination: String
        let ship: (_ batch: [AuditRecord], _ checkpoint: ForwardCheckpoint?) throws(AuditError) -> Void
        let hostname = AuditHost.name
        if let syslog {
            let target = try SyslogDestination(url: syslog)
            destination = target.description
            let format = format
            ship = { (batch, checkpoint) throws(AuditError) in
                let sender = SyslogSender(destination: target)
                defer { sender.close() }
                try sender.send(batch.map { Syslog5424.format(record: $0, checkpoint: checkpoint, hostname: hostname, body: format) })
            }
        } else if let hec, let token = resolvedToken {
            let client = HECClient(endpoint: try HECClient.endpoint(hec), token: token)
            destination = client.endpoint.absoluteString
            ship = { (batch, checkpoint) throws(AuditError) in
                try client.post(HECPayload.batch(batch, checkpoint: checkpoint, host: hostname))
            }
        } else {
            throw ValidationError("say where to forward: --syslog URL or --hec URL --token T")
        }
        let forwarder = AuditForwarder(store: store, destination: destination, batchSize: batch)
        if mode == .once {
            do {
                signCheckpointIfGrown(store)
                report(try forwarder.forwardOnce(ship), to: destination, forwarder: forwarder, quietWhenEmpty: false)
            } catch {
                Console.err("airlock: \(error)")
                throw ExitCode(1)
            }
            return
        }
        Interruptible.restoreDefaultSignals()
        var failing = false
        while true {
            do {
                signCheckpointIfGrown(store)
                report(try forwarder.forwardOnce(ship), to: destination, forwarder: forwarder, quietWhenEmpty: true)
                failing = false
            } catch {
                // A receiver that is down must not stop the follower; say so once, keep trying.
                if !failing { Console.err("airlock: \(error) (retrying every second)") }
                failing = true
            }
            sleep(1)
        }
    }

    /// Signs a checkpoint when entries were acknowledged since the latest one. A log that
    /// contradicts its latest checkpoint is still shipped (the receiver should see it) but said.
    private func signCheckpointIfGrown(_ store: AuditStore) {
        let keys = AuditKeys(home: AuditLocation.home)
        guard FileManager.default.fileExists(atPath: keys.privateKeyPath), let entries = store.acknowledgedEntries() else { return }
        let latest = (try? store.checkpointNotes().last?.size) ?? nil
        guard entries > (latest ?? 0) else { return }
        do {
            _ = try keys.signCheckpoint(store)
        } catch {
            Console.err("airlock: no new checkpoint: \(error)")
        }
    }

    private func report(_ summary: AuditForwarder.Summary, to destination: String, forwarder: AuditForwarder, quietWhenEmpty: Bool) {
        if let first = summary.first, let last = summary.last {
            Console.err("shipped \(summary.count) entries (index \(first)…\(last)) to \(destination)")
        } else if !quietWhenEmpty {
            let last = (try? forwarder.state().lastIndex).flatMap { $0 }.map { "last index shipped: \($0)" } ?? "nothing shipped yet"
            Console.err("nothing new to ship to \(destination) (\(last))")
        }
    }
}

/// Posts HEC batches with URLSession, synchronously: forwarding advances its state only after
/// the collector answered 2xx.
final class HECClient: @unchecked Sendable {
    let endpoint: URL
    let token: String
    var timeout: TimeInterval = 30

    init(endpoint: URL, token: String) {
        self.endpoint = endpoint
        self.token = token
    }

    /// The collector URL; a bare `https://host:8088` gets the event endpoint's path.
    static func endpoint(_ text: String) throws -> URL {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              components.host?.isEmpty == false else {
            throw ValidationError("--hec \(text) must be an http:// or https:// URL, e.g. https://splunk.internal:8088/services/collector/event")
        }
        var fixed = components
        if fixed.path.isEmpty || fixed.path == "/" { fixed.path = "/services/collector/event" }
        guard let url = fixed.url else { throw ValidationError("--hec \(text) is not a usable URL") }
        return url
    }

    func post(_ body: String) throws(AuditError) {
        var request = URLRequest(url: endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("Splunk \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        final class Box: @unchecked Sendable {
            var data: Data?
            var response: URLResponse?
            var error: Error?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            box.data = data
            box.response = response
            box.error = error
            done.signal()
        }
        task.resume()
        done.wait()
        if let error = box.error {
            throw AuditError("cannot post to \(endpoint.absoluteString): \(error.localizedDescription)")
        }
        guard let http = box.response as? HTTPURLResponse else {
            throw AuditError("cannot post to \(endpoint.absoluteString): no HTTP response")
        }
        guard (200..<300).contains(http.statusCode) else {
            let text = String(decoding: (box.data ?? Data()).prefix(2000), as: UTF8.self)
            throw AuditError("\(endpoint.absoluteString) answered HTTP \(http.statusCode): \(text)")
        }
    }
}
