/// The ten recovery codes, shown once: after turning two-factor on, and after making new ones.
enum RecoveryCodesPage {
    struct Model {
        var codes: [String]
        var notice: String?
    }
}
