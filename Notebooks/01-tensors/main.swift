// %% [markdown]
// # 01 — Tensors
//
// A `Tensor` is a shape plus a flat array of `Float` in row-major order. This notebook shows the
// storage, free reshapes, broadcasting, copy-on-write, reductions and a numerically stable softmax.
// Run it with `swift run -c release 01-tensors`.

// %%
import MultiTaskKit

// %% [markdown]
// ## Storage and shape
// Element (i, j, k) of a [2, 3, 4] tensor lives at offset i·12 + j·4 + k: the strides are [12, 4, 1].

// %%
let x = Tensor.arange(to: 24).reshaped(to: [2, 3, 4])
print(x)
print("strides:", Tensor.strides(of: x.shape))
print("x[1, 2, 3] =", x.scalar(at: [1, 2, 3]), "= scalar at offset", 1 * 12 + 2 * 4 + 3)

// %% [markdown]
// `reshaped(to:)` only changes the shape (the scalars stay where they are); `permuted` has to move
// them, so it copies.

// %%
let matrix = x.reshaped(to: [6, 4])
let swapped = x.permuted([2, 0, 1])
print("reshaped:", matrix.shape, "permuted:", swapped.shape, "— same scalars?", matrix.scalars == x.scalars)

// %% [markdown]
// ## Broadcasting
// Shapes are aligned at the right; a size-1 axis is stretched. A [2, 1] column plus a [3] row is a
// [2, 3] table — nothing is copied to stretch them, the kernel reads the size-1 axis with stride 0.

// %%
let column = Tensor([[1], [2]])
let row = Tensor([10, 20, 30])
print(column + row)

// %% [markdown]
// ## Copy-on-write
// `Tensor` is a value: `b = a` shares storage until one of them is written, then copies once.

// %%
var a = Tensor.zeros([3])
let b = a
a.setScalar(5, at: [0])
print("a:", a.scalars, "b:", b.scalars)

// %% [markdown]
// ## Reductions and a stable softmax
// Subtracting the maximum before exponentiating changes nothing mathematically and keeps e^x
// from overflowing: logits of ±10,000 are fine.

// %%
let logits = Tensor([[1e4, 0, -1e4], [1, 2, 3]])
print("row sums:", logits.sum(alongAxis: 1).scalars)
print("softmax:", logits.softmax())
print("log-softmax is finite:", logits.logSoftmax().isFinite)

// %% [markdown]
// ## Try next
// - Broadcast a [4, 1, 3] tensor against a [2, 1]: what shape comes out, and why?
// - Compare `x.sum(alongAxes: [0, 2])` with two single-axis sums.
