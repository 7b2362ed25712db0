// %% [markdown]
// # 04 — Autodiff
//
// Every operation on `Variable`s records its inputs and a backward rule; `backward()` applies the
// rules from the loss back to the inputs (reverse-mode differentiation). Multi-task methods need
// each task's gradient separately: `gradients(of:wrt:)` returns them without touching `.grad`.
// Run it with `swift run -c release 04-autodiff`.

// %%
import Foundation
import MultiTaskKit

// %% [markdown]
// ## A graph and its gradient
// L = Σ (w·x)². By hand: ∂L/∂w = 2 (w·x) xᵀ.

// %%
let w = Variable(Tensor([[1, 2], [3, 4]]), requiresGradient: true)
let x = Variable(Tensor([[1], [1]]))
let loss = (w • x).squared().sum()
loss.backward()
print("L =", loss.value.scalar, " ∂L/∂w =", w.grad!)

// %% [markdown]
// ## Checking a derivative with finite differences
// `gradcheck` compares the backward pass with (L(x + εv) − L(x − εv)) / 2ε along a random direction
// and element by element. A wrong rule is caught, and the report names the worst element.

// %%
let good = gradcheck("tanh · sigmoid", inputs: [Tensor.normal([3, 4],
                                                              seed: 1)]) { ($0[0].tanh() * $0[0].sigmoid()).sum() }
print(good)
let wrongCube: ([Variable]) -> Variable = { inputs in
    let v = inputs[0].value
    return Variable(v * v * v, operation: "wrongCube", parents: [inputs[0]]) { upstream,
        _ in [upstream * v * v * 2] }.sum()
}
print(gradcheck("wrongCube", inputs: [Tensor([0.5, -1.5, 2])], wrongCube))

// %% [markdown]
// ## Per-task gradients
// Two tasks share a trunk. The gradient of L₁ + L₂ is the sum of the two tasks' gradients — but the
// tasks' gradients can point in different directions. Their cosine measures the conflict that
// MGDA, PCGrad and Nash-MTL resolve.

// %%
var generator = SeededGenerator(seed: 2)
let input = Variable(Tensor.normal([32, 8], using: &generator))
let shared = Variable(Tensor.normal([8, 6], using: &generator), requiresGradient: true)
let heads = (0..<2).map { _ in Variable(Tensor.normal([6, 1], using: &generator), requiresGradient: true) }
let targets = (0..<2).map { _ in Tensor.normal([32, 1], using: &generator) }
let trunk = (input • shared).tanh()
let taskLosses = (0..<2).map { t in (trunk • heads[t] - targets[t]).squared().mean() }
let g1 = gradients(of: taskLosses[0], wrt: [shared])[0]
let g2 = gradients(of: taskLosses[1], wrt: [shared])[0]
let both = gradients(of: taskLosses[0] + taskLosses[1], wrt: [shared])[0]
let difference = (g1 + g2 - both).abs().max().scalar
let cosine = (g1 * g2).sum().scalar / ((g1 * g1).sum().scalar.squareRoot() * (g2 * g2).sum().scalar.squareRoot())
print("max |g₁ + g₂ − g(L₁ + L₂)| =", difference)
print("cosine(g₁, g₂) =", cosine, cosine < 0 ? "(the tasks conflict on the shared weights)" : "(the tasks agree)")

// %% [markdown]
// ## The graph backward() walks
// `ComputationGraph` draws the operations that produced a variable: leaves (inputs plain, parameters
// shaded) on the left, each operation a rounded box, the loss on the right. `backward()` visits
// these nodes from right to left. Written to `Tutorials/figures/04-computation-graph.svg` (a
// `--quick` run writes to the temporary directory).

// %%
let quickRun = CommandLine.arguments.contains("--quick")
let graph = ComputationGraph(of: taskLosses[0], names: [(input, "x"), (shared, "W (shared)"), (heads[0], "head 0")])
let graphURL = (quickRun ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures"))
    .appendingPathComponent("04-computation-graph.svg")
try Data(graph.svg().utf8).write(to: graphURL)
print("\(graph.nodes.count) nodes, \(graph.edges.count) edges; figure: \(graphURL.path)")

// %% [markdown]
// ## Try next
// - Write the backward rule of `x³` correctly and watch `gradcheck` pass.
// - Make the two tasks the same: each has its own random head, so give them the same targets
//   *and* the same head (use `targets[0]` and `heads[0]` for both). What happens to the cosine?
//   And with the same targets but their own heads?
