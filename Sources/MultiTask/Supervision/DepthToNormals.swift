import TensorCore
import Autodiff

/// The analytic depth → surface-normal mapping of a pinhole camera, by finite differences: the
/// differentiable map through which a cross-task consistency loss ties a predicted depth map to the
/// predicted normals (`CrossTaskConsistency`).
///
/// A pixel at normalized image coordinates (x, y) ∈ [−1, 1]² (x right, y down, the principal point
/// at the centre) seeing depth z(x, y) along the view axis lies at P = (x z / f, y z / f, z), with f
/// the focal length in the same normalized units. The surface's tangents are ∂P/∂x and ∂P/∂y, and
/// their cross product, divided by the positive z/f², is the normal
///
///     n ∝ ( f z_x,  f z_y,  −(z + x z_x + y z_y) ),      n̂ = n / ‖n‖
///
/// oriented to face the camera (n_z < 0 for z > 0, the `DenseScenes` convention: a wall facing the
/// camera has n = (0, 0, −1)). The slopes are forward differences over one pixel,
/// z_x ≈ (z[r, c+1] − z[r, c]) / Δx and z_y ≈ (z[r+1, c] − z[r, c]) / Δy with Δx = 2/W, Δy = 2/H,
/// evaluated at the centre of pixel (r, c); the last row and column have no forward neighbour, so
/// the result covers `[N, 3, H−1, W−1]` (rows and columns 0..<H−1, 0..<W−1).
///
/// Shapes: depth `[N, 1, H, W]` (H, W ≥ 2) → unit normals `[N, 3, H−1, W−1]`.
///
/// - Note: at an occlusion boundary the finite difference spans two surfaces and the normal tilts
///   toward the image plane; and `DenseScenes` shades its spheres with screen-space normals and puts
///   the horizon, not the image centre, at its floor's vanishing line, so even the true depth maps to
///   normals about 11° off its targets at the median pixel, 13° on average (the test suite
///   "Cross-task consistency" measures this).
///   A consistency loss through this map pulls the two predictions toward agreement, not toward
///   the labels exactly.
public struct DepthToNormals: Sendable {
    /// f, the focal length in normalized image units (`DenseScenes` renders with 1.2).
    public var focalLength: Float

    /// The mapping for a camera of focal length `focalLength` (f > 0).
    public init(focalLength: Float = 1.2) {
        checkPrecondition(focalLength > 0 && focalLength.isFinite, "DepthToNormals: focal length \(focalLength) "
                          + "must be positive")
        self.focalLength = focalLength
    }

    /// The unit normals `[N, 3, H−1, W−1]` of the depth maps `[N, 1, H, W]` (differentiable).
    public func callAsFunction(_ depth: Variable) -> Variable {
        checkPrecondition(depth.shape.count == 4 && depth.shape[1] == 1 && depth.shape[2] >= 2 && depth.shape[3] >= 2,
                          "DepthToNormals: depth must be [N, 1, H, W] with H, W ≥ 2, got \(depth.shape)")
        let height = depth.shape[2], width = depth.shape[3]
        let rows = 0..<(height - 1), columns = 0..<(width - 1)
        let z = depth.sliced(rows, alongAxis: 2).sliced(columns, alongAxis: 3)                 // [N, 1, H−1, W−1]
        let right = depth.sliced(rows, alongAxis: 2).sliced(1..<width, alongAxis: 3)
        let below = depth.sliced(1..<height, alongAxis: 2).sliced(columns, alongAxis: 3)
        let slopeX = (right - z) * (Float(width) / 2)                                         // z_x = Δz / (2/W)
        let slopeY = (below - z) * (Float(height) / 2)
        let x = Self.pixelCentres(height - 1, width - 1, size: width, alongColumns: true)       // [1, 1, H−1, W−1]
        let y = Self.pixelCentres(height - 1, width - 1, size: height, alongColumns: false)
        let normal = Variable.concatenating([slopeX * focalLength, slopeY * focalLength,
                                             -(z + slopeX * x + slopeY * y)], alongAxis: 1)   // [N, 3, H−1, W−1]
        let floor = Float(1e-12)...Float.greatestFiniteMagnitude
        let length = normal.squared().sum(alongAxis: 1, keepingDimensions: true).clamped(to: floor).squareRoot()
        return normal / length
    }

    /// The normalized coordinate of each pixel centre, (i + 0.5)/size · 2 − 1 along columns (x) or
    /// rows (y): a `[1, 1, rows, columns]` tensor.
    static func pixelCentres(_ rows: Int, _ columns: Int, size: Int, alongColumns: Bool) -> Tensor {
        var scalars = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns {
                let index = alongColumns ? column : row
                scalars[row * columns + column] = (Float(index) + 0.5) / Float(size) * 2 - 1
            }
        }
        return Tensor(shape: [1, 1, rows, columns], scalars: scalars)
    }
}
