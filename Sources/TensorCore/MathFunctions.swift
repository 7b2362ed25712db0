import Foundation

// Thin wrappers so the rest of the module names elementary functions in one place.
@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }
