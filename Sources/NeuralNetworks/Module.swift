import TensorCore
import Autodiff

/// The base class of every layer and model.
///
/// A module's parameters, buffers and child modules are its stored properties — nothing to
/// register. They are found by reflection (`Mirror`) and named by the path to them, with dots:
/// `trunk.layers.0.weight`, `heads.depth.bias`. Properties that hold arrays (`[Linear]`) are numbered,
/// dictionaries (`[String: Module]`) are named by their keys (in sorted order), optionals count when
/// set. (The same design as mlx-swift's `Module` and PyTorch's `named_parameters`.)
///
/// A custom layer is a subclass with stored properties and a `callAsFunction`:
/// ```swift
/// final class Scale: Module {
///     let factor = Parameter(Tensor([1]))
///     override func callAsFunction(_ input: Variable) -> Variable { input * factor }
/// }
/// ```
open class Module: CustomStringConvertible {
    /// Whether the module is in training mode (dropout active, batch normalization using batch
    /// statistics and updating its running averages). Set for a whole tree by `train()` / `eval()`.
    public private(set) var isTraining = true

    /// A module with no parameters of its own; subclasses set their stored properties, then call it.
    public init() {}

    /// The forward pass of a module with one input. Layers override it; modules with other
    /// signatures (several inputs, a task argument) add their own `callAsFunction`.
    open func callAsFunction(_ input: Variable) -> Variable {
        fatalError("\(type(of: self)) does not implement callAsFunction(_:)")
    }

    // MARK: Discovery

    /// What a stored property holds, as far as modules are concerned.
    private enum Member {
        case parameter(Parameter), buffer(Buffer), module(Module)
    }

    /// The direct members, found by reflection on first use (see `members()`).
    private var discoveredMembers: [(String, Member)]?

    /// The direct members of this module, named by property (arrays: `name.index`, arrays of
    /// arrays of modules: `name.row.column`, dictionaries: `name.key`), in declaration order,
    /// superclass properties first.
    ///
    /// Reflection runs once per module; afterwards the list is cached, so walking a model's
    /// parameters in every training step costs no `Mirror`. (mlx-swift caches the same way.) The
    /// cache assumes the structure — *which* parameters, buffers and modules the stored properties
    /// hold — is fixed once the module is used; values may change freely. A module that assigns a
    /// different child to a `var` property afterwards calls `structureDidChange()`.
    private func members() -> [(String, Member)] {
        if let discoveredMembers { return discoveredMembers }
        let found = reflectMembers()
        discoveredMembers = found
        return found
    }

    /// Forgets this module's discovered members, so the next walk reflects on its stored properties
    /// again. Call it after assigning another module, parameter or buffer to one of them.
    public func structureDidChange() { discoveredMembers = nil }

    private func reflectMembers() -> [(String, Member)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            mirrors.insert(current, at: 0)
            mirror = current.superclassMirror
        }
        var result: [(String, Member)] = []
        for mirror in mirrors {
            for child in mirror.children {
                guard let label = child.label else { continue }
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label   // property wrappers
                result += Module.classify(child.value, name: name)
            }
        }
        return result
    }

    private static func classify(_ value: Any, name: String) -> [(String, Member)] {
        switch value {
        case let parameter as Parameter: return [(name, .parameter(parameter))]
        case let buffer as Buffer: return [(name, .buffer(buffer))]
        case let module as Module: return [(name, .module(module))]
        case let modules as [Module]: return modules.enumerated().map { ("\(name).\($0.offset)", .module($0.element)) }
        case let grid as [[Module]]:  // e.g. one column of stages per task: `name.row.column`
            return grid.enumerated().flatMap { row in
                row.element.enumerated().map { ("\(name).\(row.offset).\($0.offset)", .module($0.element)) }
            }
        case let parameters as [Parameter]: return parameters.enumerated().map { ("\(name).\($0.offset)",
            .parameter($0.element)) }
        case let modules as [String: Module]: return modules.keys.sorted().map { ("\(name).\($0)",
            .module(modules[$0]!)) }
        case let parameters as [String: Parameter]: return parameters.keys.sorted().map { ("\(name).\($0)",
            .parameter(parameters[$0]!)) }
        default: return []
        }
    }

    /// Every parameter of this module and its descendants, with its dotted name. A parameter
    /// reachable by two paths (shared weights) is listed once, under the first name.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var seen = Set<ObjectIdentifier>()
        return walk(prefix: "").compactMap { name, member in
            guard case .parameter(let parameter) = member, seen.insert(ObjectIdentifier(parameter)).inserted else {
                return nil
            }
            return (name, parameter)
        }
    }

    /// Every parameter of this module and its descendants.
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// Every buffer (non-trainable state such as running statistics), with its dotted name.
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        walk(prefix: "").compactMap { name, member in
            guard case .buffer(let buffer) = member else { return nil }
            return (name, buffer)
        }
    }

    /// This module and every descendant, with dotted names ("" for `self`).
    public func namedModules() -> [(name: String, module: Module)] {
        [("", self)] + walk(prefix: "").compactMap { name, member in
            guard case .module(let module) = member else { return nil }
            return (name, module)
        }
    }

    private func walk(prefix: String) -> [(String, Member)] {
        var result: [(String, Member)] = []
        for (name, member) in members() {
            let fullName = prefix.isEmpty ? name : "\(prefix).\(name)"
            result.append((fullName, member))
            if case .module(let child) = member { result += child.walk(prefix: fullName) }
        }
        return result
    }

    /// Every `RandomSource` a module of this tree holds in a stored property (dropout's), each
    /// once, named by its module's path — so a trainer can reseed a model's randomness.
    public func namedRandomSources() -> [(name: String, source: RandomSource)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, source: RandomSource)] = []
        for (path, module) in [("", self)] + namedModules().map({ ($0.name, $0.module) }) {
            var mirror: Mirror? = Mirror(reflecting: module)
            while let current = mirror {
                for child in current.children {
                    guard let source = child.value as? RandomSource, let label = child.label,
                          seen.insert(ObjectIdentifier(source)).inserted else { continue }
                    result.append((path.isEmpty ? label : "\(path).\(label)", source))
                }
                mirror = current.superclassMirror
            }
        }
        return result
    }

    /// The number of scalars in all parameters (trainable or frozen).
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.count } }

    // MARK: Modes

    /// Training mode for this module and all descendants.
    public func train() { namedModules().forEach { $0.module.isTraining = true } }
    /// Evaluation mode for this module and all descendants.
    public func eval() { namedModules().forEach { $0.module.isTraining = false } }
    /// Freezes every parameter of this module (no gradients, no updates).
    public func freeze() { parameters().forEach { $0.isFrozen = true } }
    /// Unfreezes every parameter of this module.
    public func unfreeze() { parameters().forEach { $0.isFrozen = false } }

    /// Clears the accumulated `.grad` of every parameter.
    public func zeroGradients() { parameters().forEach { $0.grad = nil } }

    // MARK: Printing

    /// A one-line summary of this layer's configuration (layers override it), e.g. `Linear(100 → 128)`.
    open var summary: String { String(describing: type(of: self)) }

    /// The module tree with each module's own parameter count and the total.
    public var description: String {
        var lines: [String] = []
        func add(_ module: Module, name: String, depth: Int) {
            let own = module.members().reduce(0) { total, member in
                if case .parameter(let parameter) = member.1 { return total + parameter.value.count }
                return total
            }
            let label = name.isEmpty ? "" : "(\(name)): "
            lines.append(String(repeating: "  ",
                                count: depth) + label + module.summary + (own > 0 ? "  — \(own) parameters" : ""))
            for (childName, member) in module.members() {
                if case .module(let child) = member { add(child, name: childName, depth: depth + 1) }
            }
        }
        add(self, name: "", depth: 0)
        let frozen = parameters().filter(\.isFrozen).reduce(0) { $0 + $1.value.count }
        lines.append("Total: \(parameterCount) parameters" + (frozen > 0 ? " (\(frozen) frozen)" : ""))
        return lines.joined(separator: "\n")
    }
}
