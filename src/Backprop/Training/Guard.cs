using System;

namespace Backprop.Training;

/// <summary>Argument checks shared by the training types; each names the argument it rejects.</summary>
internal static class Guard
{
    /// <summary>Whether <paramref name="value"/> is finite and zero or more (NaN fails every comparison, so it is not).</summary>
    public static bool IsFiniteNonNegative(double value) => value >= 0 && !double.IsInfinity(value);

    /// <summary>Accepts a finite value that is zero or more.</summary>
    public static double NonNegative(double value, string paramName)
    {
        if (!IsFiniteNonNegative(value))
            throw new ArgumentOutOfRangeException(paramName, value, "Must be a finite number greater than or equal to 0.");
        return value;
    }

    /// <summary>Accepts a value in [0, 1), the range of PyTorch's betas.</summary>
    public static double ZeroToBelowOne(double value, string paramName)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(paramName, value, "Must be in [0, 1).");
        return value;
    }

    /// <summary>Accepts a value in [0, 1].</summary>
    public static double ZeroToOne(double value, string paramName)
    {
        if (!(value >= 0 && value <= 1))
            throw new ArgumentOutOfRangeException(paramName, value, "Must be in [0, 1].");
        return value;
    }

    /// <summary>Accepts a count of one or more.</summary>
    public static int Positive(int value, string paramName)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(paramName, value, "Must be at least 1.");
        return value;
    }

    /// <summary>Accepts a count of zero or more.</summary>
    public static int NonNegative(int value, string paramName)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(paramName, value, "Must be at least 0.");
        return value;
    }
}
