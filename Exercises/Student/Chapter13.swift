// Exercises for chapter 13, "Dense prediction" (Tutorials/13-dense-prediction.md).
// Fill in the bodies of `Chapter13Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises13
import Foundation
import MultiTaskKit

/// The exercises of chapter 13: the segmentation and surface-normal metrics of the dense scenes.
public protocol Chapter13Exercises {
    /// **13.1 Mean intersection over union** (chapter 13, the table: segmentation's main metric).
    ///
    /// For each class c, IoU_c = TP_c / (TP_c + FP_c + FN_c) over all pixels; the mean is taken over the
    /// classes *present* (in the targets or the predictions: TP + FP + FN > 0). Pixels whose target is not
    /// a class in 0..<classCount are unlabelled and ignored.
    ///
    /// - Parameters:
    ///   - predicted: the predicted class of every pixel (argmax of the scores), flattened.
    ///   - target: the labelled class of every pixel, flattened (same count).
    ///   - classCount: C.
    /// - Returns: mean IoU ∈ [0, 1].
    /// - Hint: build the C×C confusion matrix first.
    static func meanIntersectionOverUnion(predicted: [Int], target: [Int], classCount: Int) throws -> Double

    /// **13.2 Mean angle error of surface normals** (chapter 13, the table: normals' metric, in degrees).
    ///
    /// For every pixel, the angle between the predicted normal n̂ and the target n:
    /// acos(n̂·n / (‖n̂‖ ‖n‖)) · 180/π, with the cosine clamped to [−1, 1] and ‖n̂‖‖n‖ at
    /// least 10⁻¹²; pixels whose target is the zero vector are skipped. The mean is over the
    /// remaining pixels of every image.
    ///
    /// - Parameters: predicted, target: `[N, 3, H, W]` (the 3 components of a normal on axis 1).
    /// - Returns: the mean angle in degrees.
    /// - Hint: compute in `Double`; `Foundation.acos`.
    static func meanAngleError(predicted: Tensor, target: Tensor) throws -> Double
}

/// Your solutions to chapter 13's exercises: replace each `throw` with your code.
public enum Chapter13Student: Chapter13Exercises {
    public static func meanIntersectionOverUnion(predicted: [Int], target: [Int], classCount: Int) throws -> Double {
        throw ExerciseError.notDone("13.1 meanIntersectionOverUnion")
    }

    public static func meanAngleError(predicted: Tensor, target: Tensor) throws -> Double {
        throw ExerciseError.notDone("13.2 meanAngleError")
    }
}
