import Testing
@testable import AirlockSQL

@Suite struct ReferenceCaseTests {
    @Test func parserLinks() {
        #expect(!SQLClassifier.classify("select 1").isEmpty)
    }
}
