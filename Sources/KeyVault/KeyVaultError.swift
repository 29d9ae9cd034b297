/// Why a value or key could not be sealed or opened. Messages never contain key material.
public enum KeyVaultError: Error, Equatable, CustomStringConvertible {
    /// The sealed value is shorter than a version byte, a nonce and a tag.
    case truncated(length: Int)
    /// The first byte names a format this version does not know.
    case unknownVersion(UInt8)
    /// Wrong key, wrong context, or the bytes were changed.
    case authenticationFailed
    /// Data keys are 256-bit AES keys.
    case invalidKeySize(bits: Int)
    case sealFailed(String)
    /// The master key file exists but cannot be used as it is.
    case unusableMasterKeyFile(path: String, problem: String)
    /// The master key file could not be created.
    case masterKeyFileNotCreated(path: String, problem: String)

    public var description: String {
        switch self {
        case .truncated(let length):
            "sealed value is truncated (\(length) bytes; a version byte, a 12-byte nonce and a 16-byte tag are the minimum)"
        case .unknownVersion(let version):
            "sealed value has unknown format version \(version)"
        case .authenticationFailed:
            "sealed value did not authenticate: wrong key, wrong context, or the bytes were changed"
        case .invalidKeySize(let bits):
            "data key has \(bits) bits; 256 are required"
        case .sealFailed(let reason):
            "sealing failed: \(reason)"
        case .unusableMasterKeyFile(let path, let problem):
            "master key file \(path) \(problem)"
        case .masterKeyFileNotCreated(let path, let problem):
            "master key file \(path) could not be created: \(problem)"
        }
    }
}
