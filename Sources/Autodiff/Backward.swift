import TensorCore

// The backward pass: reverse-mode differentiation over the recorded graph.
//
// 1. Order the nodes topologically (every node after its parents), by an iterative depth-first
//    search — no recursion, so a chain of 10,000 operations cannot overflow the stack.
// 2. Seed ∂L/∂L = 1 (or a given upstream tensor), then visit the nodes from the loss backwards:
//    each node's gradient is complete when it is visited (all its consumers come later in the
//    order, so they were visited before), and its rule sends gradient to its parents, which add up
//    contributions from all their consumers.

extension Variable {
    /// Nodes reachable from `self` through parents, each after all of its parents.
    func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        // (node, index of the next parent to explore)
        var stack: [(Variable, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let parent = node.parents[next]
                if parent.requiresGradient, visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }

    /// Runs the backward pass from `self` and returns ∂self/∂node for every node in `targets`
    /// (by identity), propagating only along paths that lead to a target.
    func propagate(seed: Tensor, to targets: Set<ObjectIdentifier>) -> [ObjectIdentifier: Tensor] {
        let order = topologicalOrder()
        // A node needs a gradient if it is a target or one of its parents needs one.
        var needed = Set<ObjectIdentifier>()
        for node in order where targets.contains(ObjectIdentifier(node))
            || node.parents.contains(where: { needed.contains(ObjectIdentifier($0)) }) {
            needed.insert(ObjectIdentifier(node))
        }
        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        var results: [ObjectIdentifier: Tensor] = [:]
        for node in order.reversed() {
            let id = ObjectIdentifier(node)
            guard needed.contains(id), let upstream = gradients.removeValue(forKey: id) else { continue }
            if targets.contains(id) { results[id] = upstream }
            guard let rule = node.backwardRule else { continue }
            let parentNeeds = node.parents.map { needed.contains(ObjectIdentifier($0)) }
            guard parentNeeds.contains(true) else { continue }
            let parentGradients = rule(upstream, parentNeeds)
            checkPrecondition(parentGradients.count == node.parents.count,
                              "backward of '\(node.operation)': \(parentGradients.count) gradients for "
                              + "\(node.parents.count) parents")
            for (parent, gradient) in zip(node.parents, parentGradients)
                where needed.contains(ObjectIdentifier(parent)) {
                guard let gradient else { continue }
                checkPrecondition(gradient.shape == parent.value.shape,
                                  "backward of '\(node.operation)': gradient \(gradient.shape) for an input of shape "
                                  + "\(parent.value.shape)")
                let parentID = ObjectIdentifier(parent)
                if gradients[parentID] != nil {
                    gradients[parentID]!.addScaled(gradient)
                } else {
                    gradients[parentID] = gradient
                }
            }
        }
        return results
    }

    /// Computes ∂self/∂leaf for every leaf that requires a gradient and **adds** it to `leaf.grad`
    /// (PyTorch's `loss.backward()`). `self` must be a scalar unless `seed` (∂L/∂self) is given.
    public func backward(seed: Tensor? = nil) {
        let seed = seed ?? defaultSeed(operation: "backward")
        let leaves = topologicalOrder().filter { $0.isLeaf && $0.requiresGradient }
        let results = propagate(seed: seed, to: Set(leaves.map(ObjectIdentifier.init)))
        for leaf in leaves {
            guard let gradient = results[ObjectIdentifier(leaf)] else { continue }
            if leaf.grad == nil { leaf.grad = gradient } else { leaf.grad!.addScaled(gradient) }
        }
    }

    func defaultSeed(operation: String) -> Tensor {
        checkPrecondition(value.count == 1,
            "\(operation): the output has shape \(value.shape); pass a seed gradient for a non-scalar output")
        return Tensor(shape: value.shape, scalars: [1])
    }
}

/// The gradients ∂loss/∂v for each `v` in `variables` — leaves (parameters) or intermediate nodes
/// (a shared representation Z) — **without** touching any `.grad`.
///
/// The graph is not consumed: call it again on the same graph for another loss, e.g. once per task
/// to get the per-task gradients that MGDA, PCGrad, GradNorm, Nash-MTL and AdaTask need:
/// ```swift
/// let g1 = gradients(of: taskLosses[0], wrt: sharedParameters)
/// let g2 = gradients(of: taskLosses[1], wrt: sharedParameters)
/// ```
/// A variable the loss does not depend on gets a zero gradient of its shape.
/// - Parameters:
///   - loss: L, the output to differentiate (usually a scalar loss).
///   - variables: the nodes to differentiate with respect to; one gradient each, of its shape.
///   - seed: ∂L/∂loss, needed when `loss` is not a scalar (default 1).
public func gradients(of loss: Variable, wrt variables: [Variable], seed: Tensor? = nil) -> [Tensor] {
    let seed = seed ?? loss.defaultSeed(operation: "gradients(of:wrt:)")
    checkPrecondition(seed.shape == loss.value.shape,
                      "gradients(of:wrt:): seed \(seed.shape) does not match the output \(loss.value.shape)")
    let results = loss.propagate(seed: seed, to: Set(variables.map(ObjectIdentifier.init)))
    return variables.map { results[ObjectIdentifier($0)] ?? Tensor.zeros($0.value.shape) }
}
