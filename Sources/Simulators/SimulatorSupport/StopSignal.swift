import Dispatch
import Foundation

/// Returns when the process gets SIGINT or SIGTERM: how the simulators' executables run until they
/// are told to stop (and then shut their server down cleanly).
public func waitForStopSignal(label: String) async {
    let queue = DispatchQueue(label: "\(label).signals")
    let (signals, continuation) = AsyncStream<Int32>.makeStream()
    let sources = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler { @Sendable in continuation.yield(number) }
        source.resume()
        return source
    }
    for await _ in signals { break }
    sources.forEach { $0.cancel() }
}
