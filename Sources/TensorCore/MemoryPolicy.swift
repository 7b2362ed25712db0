#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How MultiTaskKit asks the C allocator to treat tensor buffers (Linux/glibc only).
///
/// Training allocates and frees the same large buffers (activations, gradients) every step. By
/// default glibc serves every block of 128 KiB or more with its own `mmap` and gives freed memory at
/// the top of the heap back to the operating system, so each step page-faults its buffers in again —
/// measured on the `mtl_mlp_fwd_bwd` benchmark: +60% time for the autodiff graph, which holds its
/// activations until the backward pass. Like PyTorch's caching allocator, we keep freed memory for
/// reuse instead: the first tensor created raises glibc's mmap threshold to 64 MiB and its trim
/// threshold to 256 MiB (`mallopt`), once per process.
///
/// Set the environment variable `MTL_KEEP_MALLOC_DEFAULTS=1` to leave the allocator untouched.
public enum MemoryPolicy {
    /// Whether the allocator thresholds were raised (false when opted out or not on glibc).
    public static let isApplied: Bool = {
        if ProcessInfo.processInfo.environment["MTL_KEEP_MALLOC_DEFAULTS"] == "1" { return false }
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which Swift's Glibc module does not export: look the
        // symbol up at run time instead of adding a C target to a pure-Swift package.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: MallocOption.self)
        let mmapThreshold: Int32 = -3    // M_MMAP_THRESHOLD in <malloc.h>
        let trimThreshold: Int32 = -1    // M_TRIM_THRESHOLD in <malloc.h>
        return mallopt(mmapThreshold, 64 << 20) == 1 && mallopt(trimThreshold, 256 << 20) == 1
        #else
        return false
        #endif
    }()
}
