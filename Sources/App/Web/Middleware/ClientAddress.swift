import NIOCore
import Vapor

/// An IPv4 or IPv6 address as its bytes, so that one address has one spelling
/// (`2001:DB8::1`, `2001:db8:0::1` and `::ffff:192.0.2.1`'s IPv4 all compare as they should).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4 (IPv4-mapped IPv6 addresses become IPv4), 16 for IPv6.
    public let bytes: [UInt8]

    public init?(_ text: String) {
        var text = text.trimmingCharacters(in: .whitespaces)
        // `[v6]`, `[v6]:port` and `v4:port` (some proxies add the port).
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            text = String(text[text.index(after: text.startIndex)..<close])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = String(text[..<colon])
        }
        guard !text.isEmpty, let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        self.init(address)
    }

    init(bytes: [UInt8]) {
        precondition(bytes.count == 4 || bytes.count == 16, "an IP address has 4 or 16 bytes")
        self.bytes = bytes
    }

    public init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            bytes = withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            let raw = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            bytes = raw.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] ? Array(raw.suffix(4)) : raw
        case .unixDomainSocket:
            return nil
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String {
        (try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0))?.ipAddress ?? bytes.map(String.init).joined(separator: ".")
    }
}

/// An address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`), for `TRUSTED_PROXIES`.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = parts.first, let address = IPAddress(first) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            // A mapped IPv4 written as IPv6 (`::ffff:10.0.0.0/104`) keeps its IPv4 prefix.
            guard var length = Int(parts[1]), length >= 0 else { return nil }
            if address.isIPv4, first.contains(":") { length -= 96 }
            guard (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.address = address
    }

    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(address.bytes, candidate.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if mine & mask != theirs & mask { return false }
            remaining -= 8
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// `TRUSTED_PROXIES`: comma-separated addresses and CIDR blocks, or the first entry that is neither.
    public static func list(_ text: String) -> Result<[IPNetwork], BadEntry> {
        var networks: [IPNetwork] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let network = IPNetwork(entry) else { return .failure(BadEntry(text: entry)) }
            networks.append(network)
        }
        return .success(networks)
    }

    public struct BadEntry: Error, Sendable { public var text: String }
}

/// The one answer to "who is the client?" for the whole app (throttling, logs).
///
/// The socket's peer is the client, unless the peer is one of `TRUSTED_PROXIES`: then
/// `X-Forwarded-For` is read from the right, skipping addresses that are themselves trusted
/// proxies, and the first one that is not is the client. Entries to its left were written by
/// the client and prove nothing. With no trusted proxies the header is never read, so nobody
/// picks their own address by sending it.
enum ClientAddress {
    static func resolve(peer: IPAddress?, forwardedFor: [String], trustedProxies: [IPNetwork]) -> IPAddress? {
        guard var client = peer, isTrusted(client, trustedProxies) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            // A hop that is not an address means the chain is not one our proxies wrote: stop at the last proxy.
            guard let address = IPAddress(hop) else { return client }
            client = address
            if !isTrusted(address, trustedProxies) { return address }
        }
        return client
    }

    private static func isTrusted(_ address: IPAddress, _ proxies: [IPNetwork]) -> Bool {
        proxies.contains { $0.contains(address) }
    }
}

extension Request {
    private struct ClientAddressKey: StorageKey { typealias Value = IPAddress }

    /// The client's address (see `ClientAddress`), or `nil` when the peer is not an IP socket.
    var clientAddress: IPAddress? {
        if let cached = storage[ClientAddressKey.self] { return cached }
        let address = ClientAddress.resolve(
            peer: remoteAddress.flatMap(IPAddress.init),
            forwardedFor: headers[.xForwardedFor],
            trustedProxies: context.configuration.trustedProxies
        )
        storage[ClientAddressKey.self] = address
        return address
    }
}
