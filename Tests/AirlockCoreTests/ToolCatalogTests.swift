@testable import AirlockCore
import Testing

/// The catalogue's index of program names, which lets a process build only the specs it meets.
@Suite("Tool catalogue")
struct ToolCatalogTests {
    static let names = ToolCatalog.programs.flatMap(\.names)

    @Test("no program name is listed twice")
    func namesAreUnique() {
        #expect(Set(Self.names).count == Self.names.count)
    }

    /// A program the catalogue did not reach would be judged as a generic local program; its
    /// spec judges an unknown operation by the spec's fallback and in the spec's own words.
    @Test("every listed program is classified by its spec", arguments: names)
    func classifiedBySpec(name: String) throws {
        let command = try #require(World.analyse("\(name) zzqx-unknown-operation").commands.first)
        #expect(command.effect >= .write)
        #expect(!command.effectReason.contains("is a local program"), "\(name): \(command.effectReason)")
    }
}
