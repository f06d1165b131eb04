import Foundation
import Testing
@testable import AirlockAudit

@Suite struct Base64Tests {
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func agreesWithFoundationAndRoundTrips() {
        var rng = SeededGenerator(seed: 7)
        for count in 0 ... 200 {
            let data = rng.bytes(count)
            let encoded = Base64.encode(data)
            #expect(encoded == Data(data).base64EncodedString())
            #expect(Base64.decode(encoded) == data)
            #expect(Base64.decode(Substring(encoded)) == data)
        }
        let allBytes = (0 ... 255).map { UInt8($0) }
        #expect(Base64.decode(Base64.encode(allBytes)) == allBytes)
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm=v", "Zm9v\n", " Zm9v", "Zm9v====",
        "Zm9-", "Zm9_", "Zm9vYg=\u{3D}=", "Zh==", "Zm9=", "Zé==",
    ])
    func rejectsMalformed(text: String) {
        #expect(Base64.decode(text) == nil)
    }
}
