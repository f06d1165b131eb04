import AirlockPostgresWire
import Testing

@Test func protocolVersionIsThreeZero() {
    #expect(PostgresWire.protocolVersion == 3 << 16)
}
