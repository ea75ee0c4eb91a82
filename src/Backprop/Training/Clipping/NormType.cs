namespace Backprop.Training;

/// <summary>The norm <see cref="GradientClipping.ClipGradNorm{T}"/> measures, PyTorch's <c>norm_type</c>.</summary>
public enum NormType
{
    /// <summary>The Euclidean norm, <c>norm_type=2</c>.</summary>
    L2,

    /// <summary>The sum of absolute values, <c>norm_type=1</c>.</summary>
    L1,

    /// <summary>The largest absolute value, <c>norm_type=inf</c>.</summary>
    Infinity,
}
