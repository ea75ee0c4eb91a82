namespace Backprop.Training;

/// <summary>How <see cref="ReduceLROnPlateau"/> measures a significant improvement (PyTorch's <c>threshold_mode</c>).</summary>
public enum ThresholdMode
{
    /// <summary>Relative: better than <c>best · (1 ∓ threshold)</c>.</summary>
    Relative,

    /// <summary>Absolute: better than <c>best ∓ threshold</c>.</summary>
    Absolute,
}
