using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// The IR's constants are values, not C# text: exact for every type (a <c>long</c> beyond 2^53, a <c>float</c>'s own
/// value, the sign of a zero), converted as C# converts them, and spelled only by the printer (<see cref="Literals.Of"/>).
/// </summary>
public sealed class IrConstantTests
{
    [Fact]
    public void AFloatConstant_IsTheFloatsValue_AndKeepsItWhenWidened()
    {
        var single = IrConstant.Of(IrType.Float, 0.1);
        Assert.Equal((double)0.1f, single.Value);
        Assert.Equal("0.1f", Literals.Of(single));
        // 0.1f in a double context is 0.100000001490116…, not 0.1 (what re-reading "0.1f" as text gave).
        var widened = IrConstant.Of(IrType.Double, single.Value);
        Assert.Equal((double)0.1f, widened.Value);
        Assert.Equal(((double)0.1f).ToString("R", System.Globalization.CultureInfo.InvariantCulture), Literals.Of(widened));
    }

    [Fact]
    public void Equality_IsExact_ForZerosAndNaN()
    {
        Assert.NotEqual(IrConstant.Of(IrType.Double, 0.0), IrConstant.Of(IrType.Double, -0.0));
        Assert.Equal("(-0.0)", Literals.Of(IrConstant.Of(IrType.Double, -0.0)));
        Assert.Equal(IrConstant.Of(IrType.Double, double.NaN), IrConstant.Of(IrType.Double, double.NaN));
        Assert.Equal("double.NaN", Literals.Of(IrConstant.Of(IrType.Double, double.NaN)));
        Assert.Equal("float.NegativeInfinity", Literals.Of(IrConstant.Of(IrType.Float, double.NegativeInfinity)));
    }

    [Fact]
    public void Integers_AreExact_BeyondTheDoubles()
    {
        var max = IrConstant.OfInteger(IrType.Int64, long.MaxValue);
        var below = IrConstant.OfInteger(IrType.Int64, long.MaxValue - 1);
        Assert.Equal(long.MaxValue, max.Integer);
        Assert.Equal("9223372036854775807L", Literals.Of(max));
        // As doubles the two are one number; as constants of the IR they are not.
        Assert.Equal(max.Value, below.Value);
        Assert.NotEqual(max, below);
        Assert.Equal("(-3)", Literals.Of(IrConstant.Int(-3)));
        Assert.True(IrConstant.Int(0).IsInteger(0));
        Assert.False(IrConstant.Of(IrType.Double, 0).IsInteger(0));
    }

    [Fact]
    public void Booleans_HaveATruth_AndNumbersDoNot()
    {
        Assert.True(IrConstant.Bool(true).Truth);
        Assert.False(IrConstant.Bool(false).Truth);
        Assert.Null(IrConstant.Int(1).Truth);
        Assert.Equal("true", Literals.Of(IrConstant.Bool(true)));
    }
}
