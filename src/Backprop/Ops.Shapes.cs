using System;

namespace Backprop;

public static partial class Ops
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="name"/> unless it has <paramref name="expected"/> entries.</summary>
    private static void RequireLength(int actual, int expected, string name, string what)
    {
        if (actual != expected) throw new ArgumentException($"{name} must have {what} = {expected} entries, but has {actual}.", name);
    }

    /// <summary>A gradient is either empty (not wanted) or as long as its value.</summary>
    private static void RequireGradient(int actual, int expected, string name)
    {
        if (actual != 0 && actual != expected)
            throw new ArgumentException($"{name} must be empty (gradient not wanted) or have {expected} entries, but has {actual}.", name);
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> for a negative size.</summary>
    private static void RequireNonNegative(int value, string name)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(name, value, "Must not be negative.");
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> for a size below 1.</summary>
    private static void RequirePositive(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, "Must be at least 1.");
    }

    /// <summary><paramref name="rows"/> × <paramref name="columns"/>, or an <see cref="ArgumentOutOfRangeException"/> if it overflows an <c>int</c>.</summary>
    private static int Product(int rows, int columns, string name)
    {
        long product = (long)rows * columns;
        if (product > int.MaxValue) throw new ArgumentOutOfRangeException(name, product, "The buffer would have more than int.MaxValue entries.");
        return (int)product;
    }
}
